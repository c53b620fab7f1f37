/*
 * The CPU quota a process gets from its cgroups, v1 and v2.
 *
 * /proc/self/cgroup names the process's cgroup in each hierarchy
 * ("0::/path" for v2, "N:cpu,cpuacct:/path" for v1); /proc/self/mountinfo
 * says where each hierarchy is mounted and which part of it the mount shows.
 * A quota may be set at any level, so the walk reads every directory from the
 * process's own cgroup up to the mount point and keeps the tightest:
 *   v2: cpu.max = "QUOTA PERIOD" or "max PERIOD"
 *   v1: cpu.cfs_quota_us = QUOTA or -1, cpu.cfs_period_us = PERIOD
 * Both in microseconds; the budget in CPUs is ceil(QUOTA / PERIOD). Since
 * ceil is monotonic, the minimum of the rounded values is the rounded minimum.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/internal.h"

typedef struct mount {
    char point[KP_PATH_MAX]; /* where it is mounted, root prefix included */
    char root[KP_PATH_MAX];  /* the part of the hierarchy the mount shows */
} mount;

/* Reads the first line of a file into buf; 0 on success. */
static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    return ok ? 0 : -1;
}

static int has_token(const char *list, const char *token)
{
    size_t len = strlen(token);
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, token, len) == 0) return 1;
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

static int copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* The cgroup paths of this process: v2's and the v1 hierarchy holding "cpu". */
static void read_membership(const char *root, char *v2, char *v1, size_t size)
{
    char path[KP_PATH_MAX];
    v2[0] = v1[0] = '\0';
    if (snprintf(path, sizeof path, "%s/proc/self/cgroup", root) >= (int)sizeof path) return;
    FILE *f = fopen(path, "re");
    if (f == NULL) return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *controllers = strchr(line, ':');
        char *cg = controllers ? strchr(controllers + 1, ':') : NULL;
        if (cg == NULL) continue;
        *controllers++ = '\0';
        *cg++ = '\0';
        if (strcmp(line, "0") == 0 && *controllers == '\0')
            (void)copy(v2, size, cg);
        else if (has_token(controllers, "cpu"))
            (void)copy(v1, size, cg);
    }
    free(line);
    fclose(f);
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
    char *out = s;
    for (; *s != '\0'; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* Finds the cgroup2 mount and the cgroup v1 mount holding "cpu". */
static void read_mounts(const char *root, mount *v2, mount *v1)
{
    char path[KP_PATH_MAX];
    v2->point[0] = v1->point[0] = '\0';
    if (snprintf(path, sizeof path, "%s/proc/self/mountinfo", root) >= (int)sizeof path) return;
    FILE *f = fopen(path, "re");
    if (f == NULL) return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        /* ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char *sep = strstr(line, " - ");
        if (sep == NULL) continue;
        *sep = '\0';
        char *save = NULL, *field[5] = {0};
        char *tok = strtok_r(line, " ", &save);
        for (int i = 0; i < 5 && tok != NULL; i++, tok = strtok_r(NULL, " ", &save))
            field[i] = tok;
        char *fstype = strtok_r(sep + 3, " \n", &save);
        (void)strtok_r(NULL, " \n", &save); /* source */
        char *super = strtok_r(NULL, " \n", &save);
        if (field[4] == NULL || fstype == NULL) continue;

        mount *m = NULL;
        if (strcmp(fstype, "cgroup2") == 0)
            m = v2;
        else if (strcmp(fstype, "cgroup") == 0 && super != NULL && has_token(super, "cpu"))
            m = v1;
        if (m == NULL || m->point[0] != '\0') continue;
        unescape(field[3]);
        unescape(field[4]);
        if (snprintf(m->point, sizeof m->point, "%s%s", root, field[4]) >= (int)sizeof m->point ||
            copy(m->root, sizeof m->root, field[3]) != 0)
            m->point[0] = '\0';
    }
    free(line);
    fclose(f);
}

/* CPUs allowed by the quota files in `dir`, or 0 for no limit there. */
static long long dir_quota(const char *dir, int version, char *file, size_t size)
{
    char line[128];
    long long quota, period;
    if (version == 2) {
        if (snprintf(file, size, "%s/cpu.max", dir) >= (int)size) return 0;
        if (read_line(file, line, sizeof line) != 0) return 0;
        if (sscanf(line, "%lld %lld", &quota, &period) != 2) return 0; /* "max PERIOD" */
    } else {
        char pfile[KP_PATH_MAX];
        if (snprintf(file, size, "%s/cpu.cfs_quota_us", dir) >= (int)size ||
            snprintf(pfile, sizeof pfile, "%s/cpu.cfs_period_us", dir) >= (int)sizeof pfile)
            return 0;
        if (read_line(file, line, sizeof line) != 0 || sscanf(line, "%lld", &quota) != 1) return 0;
        if (read_line(pfile, line, sizeof line) != 0 || sscanf(line, "%lld", &period) != 1)
            return 0;
    }
    if (quota <= 0 || period <= 0) return 0;       /* -1 is v1's "no limit" */
    return quota / period + (quota % period != 0); /* rounded up, without overflow */
}

/* Walks from the process's cgroup up to the mount point, keeping the tightest. */
static void walk(const mount *m, const char *cg, int version, kp__quota *best)
{
    if (m->point[0] == '\0' || cg[0] == '\0') return;

    /* The mount shows the hierarchy from m->root down. If the process's cgroup
     * lies outside it (a cgroup namespace, or a container's view), the mount
     * point itself is the deepest directory there is to read. */
    const char *rel = "";
    size_t rlen = strlen(m->root);
    if (strcmp(m->root, "/") == 0)
        rel = cg;
    else if (strncmp(cg, m->root, rlen) == 0 && (cg[rlen] == '/' || cg[rlen] == '\0'))
        rel = cg + rlen;

    char dir[KP_PATH_MAX], file[KP_PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s%s", m->point, rel) >= (int)sizeof dir) return;
    size_t floor = strlen(m->point);
    size_t len = strlen(dir);
    if (len > floor && dir[len - 1] == '/') dir[len - 1] = '\0';
    for (;;) {
        long long cpus = dir_quota(dir, version, file, sizeof file);
        if (cpus > 0 && (best->cpus == 0 || cpus < best->cpus)) {
            best->cpus = cpus > 1 << 30 ? 1 << 30 : (int)cpus;
            best->version = version;
            (void)copy(best->file, sizeof best->file, file);
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL || (size_t)(slash - dir) < floor) break;
        *slash = '\0';
    }
}

void kp__cgroup_quota(const char *root, kp__quota *out)
{
    char cg2[KP_PATH_MAX], cg1[KP_PATH_MAX];
    mount m2, m1;
    read_membership(root, cg2, cg1, sizeof cg2);
    read_mounts(root, &m2, &m1);

    out->cpus = 0;
    out->version = 0;
    out->file[0] = '\0';
    walk(&m2, cg2, 2, out);
    walk(&m1, cg1, 1, out);
}
