/* The CPU budget: cgroup v1 and v2 quotas from fake trees, the affinity
 * mask, physical cores, and KERNPOOL_CPU_BUDGET. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/internal.h"
#include "testutil.h"

/* ---- fake cgroup trees: a temporary directory standing for "/" */

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p != '\0'; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) fail_msg("mkdir %s", path);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int make_root(void **state)
{
    snprintf(root, sizeof root, "/tmp/kp-cgroup-XXXXXX");
    return mkdtemp(root) == NULL ? -1 : 0;
}

static int remove_root(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

#define V2_MOUNT "30 22 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
#define V1_MOUNT                                                                                   \
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup "                \
    "rw,cpu,cpuacct\n"
#define OTHER_MOUNTS                                                                               \
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"                                               \
    "40 30 0:37 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"

static kp__quota quota_of_root(void)
{
    kp__quota q;
    kp__cgroup_quota(root, &q);
    return q;
}

static void expect_quota(int cpus, int version, const char *file_rel)
{
    kp__quota q = quota_of_root();
    assert_int_equal(q.cpus, cpus);
    assert_int_equal(q.version, version);
    if (file_rel == NULL) {
        assert_string_equal(q.file, "");
    } else {
        char expect[512];
        snprintf(expect, sizeof expect, "%s/%s", root, file_rel);
        assert_string_equal(q.file, expect);
    }
}

static void test_v2_fractional_parent_quota(void **state)
{
    write_file("proc/self/cgroup", "0::/kubepods/pod1/c1\n");
    write_file("proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT);
    write_file("sys/fs/cgroup/kubepods/pod1/c1/cpu.max", "max 100000\n");
    write_file("sys/fs/cgroup/kubepods/pod1/cpu.max", "150000 100000\n"); /* 1.5 -> 2 */
    write_file("sys/fs/cgroup/kubepods/cpu.max", "400000 100000\n");
    expect_quota(2, 2, "sys/fs/cgroup/kubepods/pod1/cpu.max");
}

static void test_v2_leaf_tighter_than_parents(void **state)
{
    write_file("proc/self/cgroup", "0::/a/b\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/a/b/cpu.max", "50000 100000\n"); /* 0.5 -> 1 */
    write_file("sys/fs/cgroup/a/cpu.max", "300000 100000\n");
    expect_quota(1, 2, "sys/fs/cgroup/a/b/cpu.max");
}

static void test_v2_no_limit(void **state)
{
    write_file("proc/self/cgroup", "0::/a/b\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
    write_file("sys/fs/cgroup/a/cpu.max", "max 100000\n");
    expect_quota(0, 0, NULL);
}

static void test_v2_other_period(void **state)
{
    write_file("proc/self/cgroup", "0::/job\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/job/cpu.max", "50000 20000\n"); /* 2.5 -> 3 */
    expect_quota(3, 2, "sys/fs/cgroup/job/cpu.max");
}

static void test_v2_quota_at_mount_point(void **state)
{
    /* A cgroup namespace: the process sees itself at "/". */
    write_file("proc/self/cgroup", "0::/\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/cpu.max", "200000 100000\n");
    expect_quota(2, 2, "sys/fs/cgroup/cpu.max");
}

static void test_v1_tighter_parent(void **state)
{
    write_file("proc/self/cgroup", "5:memory:/x\n4:cpu,cpuacct:/x/y\n0::/\n");
    write_file("proc/self/mountinfo", OTHER_MOUNTS V1_MOUNT);
    write_file("sys/fs/cgroup/cpu,cpuacct/x/y/cpu.cfs_quota_us", "-1\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/x/y/cpu.cfs_period_us", "100000\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us", "250000\n"); /* 2.5 -> 3 */
    write_file("sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_period_us", "100000\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    expect_quota(3, 1, "sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us");
}

static void test_v1_container_view(void **state)
{
    /* The mount shows only the container's part of the hierarchy. */
    write_file("proc/self/cgroup", "3:cpu:/docker/abc\n");
    write_file("proc/self/mountinfo",
               "50 49 0:30 /docker/abc /sys/fs/cgroup/cpu ro,nosuid - cgroup cgroup rw,cpu\n");
    write_file("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "100000\n");
    write_file("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    expect_quota(1, 1, "sys/fs/cgroup/cpu/cpu.cfs_quota_us");
}

static void test_hybrid_takes_tightest(void **state)
{
    write_file("proc/self/cgroup", "4:cpu,cpuacct:/s\n0::/s\n");
    write_file("proc/self/mountinfo",
               V1_MOUNT "41 30 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/s/cpu.cfs_quota_us", "700000\n");
    write_file("sys/fs/cgroup/cpu,cpuacct/s/cpu.cfs_period_us", "100000\n");
    write_file("sys/fs/cgroup/unified/s/cpu.max", "400000 100000\n");
    expect_quota(4, 2, "sys/fs/cgroup/unified/s/cpu.max");
}

static void test_escaped_mount_point(void **state)
{
    write_file("proc/self/cgroup", "0::/g\n");
    write_file("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cg\\040root rw - cgroup2 none rw\n");
    write_file("sys/fs/cg root/g/cpu.max", "300000 100000\n");
    expect_quota(3, 2, "sys/fs/cg root/g/cpu.max");
}

static void test_missing_or_garbled_files(void **state)
{
    expect_quota(0, 0, NULL); /* an empty root */
    write_file("proc/self/cgroup", "garbage\n0::/q\n");
    write_file("proc/self/mountinfo", "nonsense line\n" V2_MOUNT);
    write_file("sys/fs/cgroup/q/cpu.max", "lots 100000\n");
    expect_quota(0, 0, NULL);
    write_file("sys/fs/cgroup/q/cpu.max", "100000 0\n");
    expect_quota(0, 0, NULL);
}

/* The process's real numbers: with a quota below the mask the quota wins;
 * with one above it the cores do. */
static void test_quota_caps_cores(void **state)
{
    kp__budget_report r;
    write_file("proc/self/cgroup", "0::/\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/cpu.max", "100000 100000\n");
    kp__budget_detect(root, &r);
    assert_int_equal(r.budget, 1);
    assert_int_equal(r.quota.cpus, 1);

    write_file("sys/fs/cgroup/cpu.max", "6400000 100000\n");
    kp__budget_detect(root, &r);
    assert_int_equal(r.quota.cpus, 64);
    assert_true(r.affinity_cores >= 1);
    assert_int_equal(r.budget, r.affinity_cores < 64 ? r.affinity_cores : 64);
    assert_int_equal(r.source, KP_SOURCE_DETECTED);
}

/* ---- physical cores, against sysfs as an independent oracle */

static int read_int(const char *path)
{
    FILE *f = fopen(path, "r");
    int v = -1;
    if (f != NULL) {
        if (fscanf(f, "%d", &v) != 1) v = -1;
        fclose(f);
    }
    return v;
}

static void test_cores_match_sysfs(void **state)
{
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    int pkg[CPU_SETSIZE], core[CPU_SETSIZE], distinct = 0, cpus = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set)) continue;
        char path[128];
        cpus++;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id",
                 c);
        int p = read_int(path);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/core_id", c);
        int k = read_int(path);
        if (p < 0 || k < 0) skip(); /* no topology in sysfs here */
        int seen = 0;
        for (int i = 0; i < distinct; i++)
            seen |= pkg[i] == p && core[i] == k;
        if (!seen) {
            pkg[distinct] = p;
            core[distinct++] = k;
        }
    }
    kp__budget_report r;
    kp__budget_detect("/nonexistent", &r);
    assert_int_equal(r.affinity_cpus, cpus);
    assert_int_equal(r.affinity_cores, distinct);
    assert_int_equal(r.budget, distinct);
}

/* ---- the process's budget, end to end, in children */

static void affinity_child(void *arg)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(*(int *)arg, &one);
    CHILD_CHECK(sched_setaffinity(0, sizeof one, &one) == 0);
    unsetenv("KERNPOOL_CPU_BUDGET");
    CHILD_CHECK(kp_cpu_budget() == 1);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(info.affinity_cpus == 1 && info.threads_max == 0);
    CHILD_CHECK(kp_workers_resolve(-1) == 1 && kp_workers_resolve(64) == 1);
}

static void test_affinity_restricted(void **state)
{
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    if (CPU_COUNT(&set) < 2) skip();
    int last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) last = c;
    (void)kp_cpu_budget(); /* the parent's cached budget must not leak into the child */
    assert_int_equal(kp_test_in_child(affinity_child, &last, 30), 0);
}

typedef struct env_case {
    const char *budget_env; /* NULL: unset */
    int expect;             /* 0: the detected budget, 1 with the fake quota */
    kp_source source;
    int malformed;
} env_case;

static void env_child(void *arg)
{
    const env_case *c = arg;
    setenv("KERNPOOL_CGROUP_ROOT", root, 1);
    if (c->budget_env != NULL)
        setenv("KERNPOOL_CPU_BUDGET", c->budget_env, 1);
    else
        unsetenv("KERNPOOL_CPU_BUDGET");
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(kp_cpu_budget() == c->expect && info.cpu_budget == c->expect);
    CHILD_CHECK(info.budget_source == c->source && info.budget_env_malformed == c->malformed);
    CHILD_CHECK(info.threads_max == c->expect - 1);
    CHILD_CHECK(info.quota_cpus == 1 && info.cgroup_version == 2);
    CHILD_CHECK(strstr(info.quota_file, "/sys/fs/cgroup/box/cpu.max") != NULL);
}

static void test_env_and_fake_root(void **state)
{
    write_file("proc/self/cgroup", "0::/box\n");
    write_file("proc/self/mountinfo", V2_MOUNT);
    write_file("sys/fs/cgroup/box/cpu.max", "80000 100000\n");
    static const env_case cases[] = {
        {NULL, 1, KP_SOURCE_DETECTED, 0}, {"16", 16, KP_SOURCE_ENV, 0},
        {"1", 1, KP_SOURCE_ENV, 0},       {"0", 1, KP_SOURCE_DETECTED, 1},
        {"-4", 1, KP_SOURCE_DETECTED, 1}, {"many", 1, KP_SOURCE_DETECTED, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (kp_test_in_child(env_child, (void *)&cases[i], 30) != 0)
            fail_msg("KERNPOOL_CPU_BUDGET=%s", cases[i].budget_env ? cases[i].budget_env : "-");
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, make_root, remove_root)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_v2_fractional_parent_quota),
        TREE_TEST(test_v2_leaf_tighter_than_parents),
        TREE_TEST(test_v2_no_limit),
        TREE_TEST(test_v2_other_period),
        TREE_TEST(test_v2_quota_at_mount_point),
        TREE_TEST(test_v1_tighter_parent),
        TREE_TEST(test_v1_container_view),
        TREE_TEST(test_hybrid_takes_tightest),
        TREE_TEST(test_escaped_mount_point),
        TREE_TEST(test_missing_or_garbled_files),
        TREE_TEST(test_quota_caps_cores),
        cmocka_unit_test(test_cores_match_sysfs),
        cmocka_unit_test(test_affinity_restricted),
        TREE_TEST(test_env_and_fake_root),
    };
    return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
