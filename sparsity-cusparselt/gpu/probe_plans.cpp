// Probes which type/layout/op combinations cuSPARSELt accepts for a matmul plan, and which never
// return from cusparseLtMatmulPlanInit (seen on the H100 with cuSPARSELt 0.8: FP32, A and B row-major,
// op N, C row-major kept a CPU core busy for minutes). Each combination runs on a worker thread; a
// watchdog marks a combination HANG once it has been inside cuSPARSELt for 3 s and starts another
// worker, so one hang does not stop the probe. Also reports whether the GELU epilogue attribute is
// accepted per type combination (canonical layout). Shape: M=128, N=64, K=128.
// CSV on stdout: in,out,structured,layoutA,opA,layoutB,opB,layoutC,result
#include <cusparseLt.h>
#include <cuda_runtime.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

struct Combo { const char* in; const char* out; cudaDataType a; cudaDataType c; cusparseComputeType ct; };
static const Combo kCombos[] = {
    {"FP16", "FP16", CUDA_R_16F, CUDA_R_16F, CUSPARSE_COMPUTE_32F},
    {"BF16", "BF16", CUDA_R_16BF, CUDA_R_16BF, CUSPARSE_COMPUTE_32F},
    {"FP32", "FP32", CUDA_R_32F, CUDA_R_32F, CUSPARSE_COMPUTE_32F},
    {"INT8", "INT8", CUDA_R_8I, CUDA_R_8I, CUSPARSE_COMPUTE_32I},
    {"INT8", "INT32", CUDA_R_8I, CUDA_R_32I, CUSPARSE_COMPUTE_32I},
    {"INT8", "FP16", CUDA_R_8I, CUDA_R_16F, CUSPARSE_COMPUTE_32I},
    {"INT8", "BF16", CUDA_R_8I, CUDA_R_16BF, CUSPARSE_COMPUTE_32I},
    {"FP8_E4M3", "FP16", CUDA_R_8F_E4M3, CUDA_R_16F, CUSPARSE_COMPUTE_32F},
    {"FP8_E4M3", "BF16", CUDA_R_8F_E4M3, CUDA_R_16BF, CUSPARSE_COMPUTE_32F},
    {"FP8_E4M3", "FP32", CUDA_R_8F_E4M3, CUDA_R_32F, CUSPARSE_COMPUTE_32F},
    {"FP8_E5M2", "FP16", CUDA_R_8F_E5M2, CUDA_R_16F, CUSPARSE_COMPUTE_32F},
    {"FP8_E5M2", "BF16", CUDA_R_8F_E5M2, CUDA_R_16BF, CUSPARSE_COMPUTE_32F},
    {"FP8_E5M2", "FP32", CUDA_R_8F_E5M2, CUDA_R_32F, CUSPARSE_COMPUTE_32F},
};

struct Item { int combo, structuredA, rowA, tA, rowB, tB, rowC; bool gelu; };
static std::vector<Item> items;
static std::vector<std::string> result;
static std::vector<std::atomic<long long>> started;  // ms since epoch when a worker entered the item, 0 = not yet
static std::atomic<int> next{0};
static std::atomic<int> done{0};
static std::mutex mu;

static long long nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch()).count();
}

static std::string run(cusparseLtHandle_t* h, const Item& it) {
    const Combo& c = kCombos[it.combo];
    const long m = 128, n = 64, k = 128;
    long rA = it.tA ? k : m, cA = it.tA ? m : k, rB = it.tB ? n : k, cB = it.tB ? k : n;
    long ldA = it.rowA ? cA : rA, ldB = it.rowB ? cB : rB, ldC = it.rowC ? n : m;
    cusparseOrder_t oA = it.rowA ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL;
    cusparseOrder_t oB = it.rowB ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL;
    cusparseOrder_t oC = it.rowC ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL;
    cusparseLtMatDescriptor_t a, b, d;
    cusparseLtMatmulDescriptor_t mm;
    cusparseLtMatmulAlgSelection_t sel;
    cusparseLtMatmulPlan_t plan;
    cusparseStatus_t s;
    if (it.structuredA) {
        s = cusparseLtStructuredDescriptorInit(h, &a, rA, cA, ldA, 16, c.a, oA, CUSPARSELT_SPARSITY_50_PERCENT);
        if (s) return std::string("descA:") + cusparseLtGetErrorName(s);
        s = cusparseLtDenseDescriptorInit(h, &b, rB, cB, ldB, 16, c.a, oB);
        if (s) return std::string("descB:") + cusparseLtGetErrorName(s);
    } else {
        s = cusparseLtDenseDescriptorInit(h, &a, rA, cA, ldA, 16, c.a, oA);
        if (s) return std::string("descA:") + cusparseLtGetErrorName(s);
        s = cusparseLtStructuredDescriptorInit(h, &b, rB, cB, ldB, 16, c.a, oB, CUSPARSELT_SPARSITY_50_PERCENT);
        if (s) return std::string("descB:") + cusparseLtGetErrorName(s);
    }
    s = cusparseLtDenseDescriptorInit(h, &d, m, n, ldC, 16, c.c, oC);
    if (s) return std::string("descC:") + cusparseLtGetErrorName(s);
    s = cusparseLtMatmulDescriptorInit(h, &mm, it.tA ? CUSPARSE_OPERATION_TRANSPOSE : CUSPARSE_OPERATION_NON_TRANSPOSE,
                                       it.tB ? CUSPARSE_OPERATION_TRANSPOSE : CUSPARSE_OPERATION_NON_TRANSPOSE,
                                       &a, &b, &d, &d, c.ct);
    if (s) return std::string("matmulDesc:") + cusparseLtGetErrorName(s);
    if (it.gelu) {
        int one = 1;
        s = cusparseLtMatmulDescSetAttribute(h, &mm, CUSPARSELT_MATMUL_ACTIVATION_GELU, &one, sizeof(one));
        if (s) return std::string("gelu:") + cusparseLtGetErrorName(s);
    }
    s = cusparseLtMatmulAlgSelectionInit(h, &sel, &mm, CUSPARSELT_MATMUL_ALG_DEFAULT);
    if (s) return std::string("algSel:") + cusparseLtGetErrorName(s);
    s = cusparseLtMatmulPlanInit(h, &plan, &mm, &sel);
    if (s) return std::string("planInit:") + cusparseLtGetErrorName(s);
    cusparseLtMatmulPlanDestroy(&plan);
    cusparseLtMatmulAlgSelectionDestroy(&sel);
    return "OK";
}

static void worker() {
    cusparseLtHandle_t h;
    if (cusparseLtInit(&h)) { fprintf(stderr, "cusparseLtInit failed\n"); return; }
    for (;;) {
        int i = next.fetch_add(1);
        if (i >= (int) items.size()) return;
        started[i] = nowMs();
        std::string r = run(&h, items[i]);
        {
            std::lock_guard<std::mutex> g(mu);
            if (result[i].empty()) { result[i] = r; done++; }
        }
    }
}

int main() {
    cudaFree(0);
    for (int ci = 0; ci < (int) (sizeof(kCombos) / sizeof(kCombos[0])); ci++) {
        for (int sa = 1; sa >= 0; sa--)
            for (int ra = 1; ra >= 0; ra--) for (int ta = 0; ta < 2; ta++)
                for (int rb = 1; rb >= 0; rb--) for (int tb = 0; tb < 2; tb++)
                    for (int rc = 1; rc >= 0; rc--) items.push_back({ci, sa, ra, ta, rb, tb, rc, false});
        items.push_back({ci, 1, 1, 0, 0, 0, 0, true});  // GELU, canonical layout
    }
    result.assign(items.size(), "");
    started = std::vector<std::atomic<long long>>(items.size());
    for (auto& s : started) s = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++) threads.emplace_back(worker);
    std::vector<bool> flagged(items.size(), false);
    long long t0 = nowMs();
    while (done < (int) items.size() && nowMs() - t0 < 100000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        for (size_t i = 0; i < items.size(); i++) {
            long long st = started[i];
            if (st && !flagged[i] && nowMs() - st > 3000) {
                std::lock_guard<std::mutex> g(mu);
                if (result[i].empty()) {
                    result[i] = "HANG(planInit>3s)";
                    done++;
                    flagged[i] = true;
                    threads.emplace_back(worker);  // the stuck worker keeps its core; go on with another
                }
            }
        }
    }
    printf("in,out,structured,layoutA,opA,layoutB,opB,layoutC,gelu,result\n");
    for (size_t i = 0; i < items.size(); i++) {
        const Item& it = items[i];
        printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", kCombos[it.combo].in, kCombos[it.combo].out, it.structuredA ? "A" : "B",
               it.rowA ? "R" : "C", it.tA ? "T" : "N", it.rowB ? "R" : "C", it.tB ? "T" : "N", it.rowC ? "R" : "C",
               it.gelu ? "gelu" : "", result[i].empty() ? "NOT_REACHED" : result[i].c_str());
    }
    fflush(stdout);
    _exit(0);  // hung workers never return
}
