/*
 * bench/harness.h over Google Benchmark: the only C++ in kernpool.
 *
 * Each (benchmark, arguments) pair becomes one Google Benchmark registered
 * in kpb_run(), in the order of kpb_args() calls. Its first invocation runs
 * the C body once untimed (the warm-up) through a kpb_state that has no
 * Google Benchmark state behind it; later invocations are measured.
 */
#include "harness.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

struct kpb_state {
    benchmark::State *gb; /* NULL during the warm-up */
    int64_t args[KPB_MAX_ARGS];
    double bytes, items; /* per pass */
    /* warm-up only */
    int64_t warm_left; /* passes still due, or -1 for a time limit */
    std::chrono::steady_clock::time_point warm_until;
    bool warm_started;
    std::string error;
};

namespace
{

struct instance {
    kpb_bench *bench;
    int64_t args[KPB_MAX_ARGS];
    bool warmed;
    std::string warm_error;
};

double g_warmup_s = 0.05;
bool g_failed = false;

} // namespace

struct kpb_bench {
    std::string name;
    kpb_fn fn;
    void *ctx;
    std::vector<std::string> arg_names;
    int64_t passes; /* 0: decided by --benchmark_min_time */
};

namespace
{

std::vector<std::unique_ptr<kpb_bench>> g_benches;
std::vector<std::unique_ptr<instance>> g_instances;

void run_instance(benchmark::State &gb, instance *in)
{
    kpb_bench *b = in->bench;
    if (!in->warmed) {
        kpb_state w{};
        std::memcpy(w.args, in->args, sizeof w.args);
        w.warm_left = b->passes > 0 ? b->passes : -1;
        w.warm_until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(g_warmup_s));
        b->fn(&w, b->ctx);
        in->warmed = true;
        in->warm_error = w.error;
    }
    if (!in->warm_error.empty()) {
        gb.SkipWithError(in->warm_error.c_str());
        g_failed = true;
        return;
    }
    kpb_state st{};
    st.gb = &gb;
    std::memcpy(st.args, in->args, sizeof st.args);
    b->fn(&st, b->ctx);
    if (!st.error.empty()) {
        g_failed = true;
        return;
    }
    auto passes = static_cast<double>(gb.iterations());
    if (st.bytes > 0) gb.SetBytesProcessed(static_cast<int64_t>(st.bytes * passes));
    if (st.items > 0) gb.SetItemsProcessed(static_cast<int64_t>(st.items * passes));
}

} // namespace

extern "C" {

int kpb_init(int *argc, char **argv)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (std::strncmp(argv[i], "--warmup=", 9) == 0) {
            char *end;
            double s = std::strtod(argv[i] + 9, &end);
            if (*end != '\0' || !(s >= 0 && s <= 60)) {
                std::fprintf(stderr, "bad %s (seconds, 0 to 60)\n", argv[i]);
                return -1;
            }
            g_warmup_s = s;
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    argv[kept] = nullptr;
    benchmark::Initialize(argc, argv);
    char text[32];
    std::snprintf(text, sizeof text, "%g", g_warmup_s);
    benchmark::AddCustomContext("warmup_s", text);
    return 0;
}

kpb_bench *kpb_register(const char *name, kpb_fn fn, void *ctx)
{
    try {
        g_benches.emplace_back(new kpb_bench{name, fn, ctx, {}, 0});
        return g_benches.back().get();
    } catch (...) {
        return nullptr;
    }
}

void kpb_arg_names(kpb_bench *b, const char *a0, const char *a1)
{
    b->arg_names.clear();
    if (a0 != nullptr) b->arg_names.emplace_back(a0);
    if (a0 != nullptr && a1 != nullptr) b->arg_names.emplace_back(a1);
}

void kpb_args(kpb_bench *b, int64_t a0, int64_t a1)
{
    g_instances.emplace_back(new instance{b, {a0, a1}, false, {}});
}

void kpb_iterations(kpb_bench *b, int64_t passes)
{
    b->passes = passes > 0 ? passes : 0;
}

int kpb_run(void)
{
    for (auto &in : g_instances) {
        instance *p = in.get();
        kpb_bench *b = p->bench;
        auto *gb = benchmark::RegisterBenchmark(b->name.c_str(),
                                                [p](benchmark::State &st) { run_instance(st, p); });
        gb->UseRealTime();
        if (!b->arg_names.empty()) {
            gb->ArgNames(b->arg_names);
            std::vector<int64_t> args(p->args, p->args + b->arg_names.size());
            gb->Args(args);
        }
        if (b->passes > 0) gb->Iterations(b->passes);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return g_failed ? 1 : 0;
}

void kpb_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

int64_t kpb_arg(const kpb_state *st, int i)
{
    return i >= 0 && i < KPB_MAX_ARGS ? st->args[i] : 0;
}

int kpb_loop(kpb_state *st)
{
    if (st->gb != nullptr) return st->error.empty() && st->gb->KeepRunning();
    if (!st->error.empty()) return 0;
    if (st->warm_left >= 0) return st->warm_left-- > 0;
    /* time-limited warm-up: at least one pass */
    if (!st->warm_started) {
        st->warm_started = true;
        return 1;
    }
    return std::chrono::steady_clock::now() < st->warm_until;
}

void kpb_set_bytes(kpb_state *st, double bytes_per_pass)
{
    st->bytes = bytes_per_pass;
}

void kpb_set_items(kpb_state *st, double items_per_pass)
{
    st->items = items_per_pass;
}

void kpb_counter(kpb_state *st, const char *name, double value)
{
    if (st->gb != nullptr) st->gb->counters[name] = benchmark::Counter(value);
}

void kpb_error(kpb_state *st, const char *message)
{
    st->error = message != nullptr && *message ? message : "error";
    if (st->gb != nullptr) st->gb->SkipWithError(st->error.c_str());
}

void kpb_keep(double value)
{
    benchmark::DoNotOptimize(value);
}

} /* extern "C" */
