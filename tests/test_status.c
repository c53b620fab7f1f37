/* Status codes and version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernpool.h"

static void test_every_code_has_its_own_message(void **state)
{
    const char *unknown = kp_strerror(1);
    assert_string_equal(unknown, "unknown status code");
    assert_string_equal(kp_strerror(KP_STATUS_MIN - 1), unknown);
    assert_string_equal(kp_strerror(-1000000), unknown);
    assert_string_equal(kp_strerror(KP_OK), "success");
    for (int a = 0; a >= KP_STATUS_MIN; a--) {
        assert_non_null(kp_strerror(a));
        assert_string_not_equal(kp_strerror(a), unknown);
        for (int b = a - 1; b >= KP_STATUS_MIN; b--)
            assert_string_not_equal(kp_strerror(a), kp_strerror(b));
    }
}

static void test_codes_are_distinct_and_negative(void **state)
{
    const int codes[] = {KP_EINVAL,    KP_ENOMEM, KP_ENOTSUP,  KP_ENULL, KP_ESTRIDE,
                         KP_EOVERFLOW, KP_EEMPTY, KP_EOVERLAP, KP_ENOENT};
    size_t n = sizeof codes / sizeof *codes;
    assert_int_equal((int)n, -KP_STATUS_MIN);
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0 && codes[i] >= KP_STATUS_MIN);
        for (size_t j = i + 1; j < n; j++)
            assert_int_not_equal(codes[i], codes[j]);
    }
}

static void test_version(void **state)
{
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", KP_VERSION_MAJOR, KP_VERSION_MINOR,
             KP_VERSION_PATCH);
    assert_string_equal(kp_version(), expect);
    assert_string_equal(kp_version(), KP_VERSION_STRING);
    assert_int_equal(KP_VERSION_NUMBER,
                     10000 * KP_VERSION_MAJOR + 100 * KP_VERSION_MINOR + KP_VERSION_PATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_its_own_message),
        cmocka_unit_test(test_codes_are_distinct_and_negative),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
