/* kp_pool_info_get(): one snapshot of the pool and the budget's inputs. */
#include <stdio.h>
#include <string.h>

#include "sched/internal.h"

_Static_assert(sizeof((kp_pool_info *)0)->quota_file == KP_PATH_MAX,
               "the report's path fits the info's");
_Static_assert(sizeof((kp_pool_info *)0)->affinity_list ==
                   sizeof((kp__budget_report *)0)->affinity_list,
               "the report's CPU list fits the info's");

int kp_pool_info_get(kp_pool_info *info)
{
    if (info == NULL) return KP_ENULL;
    const kp__budget_report *b = kp__budget_get();
    const kp__settings *s = kp__settings_get();

    kp_pool_info r;
    memset(&r, 0, sizeof r);
    r.cpu_budget = b->budget;
    r.budget_source = b->source;
    r.budget_env = b->env_value;
    r.budget_env_malformed = b->env_malformed;
    r.affinity_cpus = b->affinity_cpus;
    r.affinity_cores = b->affinity_cores;
    r.quota_cpus = b->quota.cpus;
    r.cgroup_version = b->quota.version;
    memcpy(r.quota_file, b->quota.file, sizeof r.quota_file);
    r.default_workers = kp_get_workers();
    r.default_source = kp__thread_workers() != 0 ? KP_SOURCE_THREAD : s->workers_source;
    r.workers_env_malformed = s->workers_env_malformed;
    r.threads_alive = kp__pool_threads_alive();
    r.threads_max = b->budget - 1;
    r.spin_us = s->spin_us;
    r.spin_env_malformed = s->spin_env_malformed;
    snprintf(r.isa_supported, sizeof r.isa_supported, "%s", kp__isa_name(kp__isa_supported()));
    snprintf(r.isa_selected, sizeof r.isa_selected, "%s", kp__isa_name(kp__isa_selected()));
    memcpy(r.affinity_list, b->affinity_list, sizeof r.affinity_list);
    r.machine_pus = b->machine_pus;
    r.machine_cores = b->machine_cores;
    const char *isa = kp__isa_env(&r.isa_env_malformed);
    if (isa != NULL) snprintf(r.isa_env, sizeof r.isa_env, "%s", isa);
    r.forked = kp__process_forked();
    *info = r;
    return KP_OK;
}
