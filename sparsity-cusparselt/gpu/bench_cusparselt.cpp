// Reference benchmark for the Java layer: dense cuBLASLt versus cuSPARSELt called directly from C++
// with a cached plan and a searched algorithm, on the same shapes and memory layouts the Java
// benchmark uses. Times are CUDA-event medians; host cost is the median wall time of the enqueue call.
//
// Two device times per product. "ms": an event pair around each of 50 calls enqueued one by one, so
// when one call takes about as long to enqueue as to run, the interval also holds host time. "held
// ms": the stream is first made to wait on a flag in mapped host memory (cuStreamWaitValue32), 64
// calls with an event between each are enqueued behind it, then the flag is set; the median interval
// between consecutive events is the kernel time back to back, free of host time. A watchdog sets the
// flag after 10 s should an enqueue block; that measurement is then reported as -1, as it is where
// the driver does not offer stream wait-value operations.
//
// Layout (all types): A (N x K, structured, row-major, op N), B (K x M, column-major, op N),
// C = D (N x M, column-major; row-major if cuSPARSELt refuses column-major). cuBLASLt computes the
// same product on the pruned, uncompressed A (seen as column-major A^T with op T).
//
// Usage: bench_cusparselt [--algs=CSV] [types...]   types from fp16 bf16 int8 e4m3 (default all); CSV on
// stdout. Without --algs each shape is searched (cusparseLtMatmulSearch), the searched plan is timed,
// then a fresh plan with the chosen configuration. With --algs=CSV (this program's own output of an
// earlier run) nothing is searched: each shape gets one fresh plan with the configuration from the file,
// built and timed exactly as the Java benchmark does (fill, prune, compress, warm up, time), so the two
// measure the same kernel on the same operand values under the same sequence of work (the dense
// cuBLASLt timing is skipped in that mode: the Java benchmark does not run it either).
//
// Operand values: element i of a 16 MiB block tiled over the buffer is derived from splitmix64(seed, i)
// by the same formula as the Java benchmark, so both programs multiply identical matrices.
#include <cusparseLt.h>
#include <cublasLt.h>
#include <cuda.h>
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#define CHECK_CUDA(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
    fprintf(stderr, "%s:%d %s -> %s\n", __FILE__, __LINE__, #x, cudaGetErrorName(e_)); exit(1); } } while (0)
#define CHECK_LT(x) do { cusparseStatus_t s_ = (x); if (s_ != CUSPARSE_STATUS_SUCCESS) { \
    fprintf(stderr, "%s:%d %s -> %s\n", __FILE__, __LINE__, #x, cusparseLtGetErrorName(s_)); exit(1); } } while (0)
#define CHECK_BLAS(x) do { cublasStatus_t s_ = (x); if (s_ != CUBLAS_STATUS_SUCCESS) { \
    fprintf(stderr, "%s:%d %s -> %d\n", __FILE__, __LINE__, #x, (int) s_); exit(1); } } while (0)

struct TypeCfg {
    const char* name;
    cudaDataType in, out;
    int inBytes, outBytes;
    cusparseComputeType ltCompute;
    cublasComputeType_t blasCompute;
    cudaDataType scaleType;
};

static const TypeCfg kTypes[] = {
    {"fp16", CUDA_R_16F, CUDA_R_16F, 2, 2, CUSPARSE_COMPUTE_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F},
    {"bf16", CUDA_R_16BF, CUDA_R_16BF, 2, 2, CUSPARSE_COMPUTE_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F},
    {"int8", CUDA_R_8I, CUDA_R_32I, 1, 4, CUSPARSE_COMPUTE_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I},
    {"e4m3", CUDA_R_8F_E4M3, CUDA_R_16F, 1, 2, CUSPARSE_COMPUTE_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F},
    // not in the default set: INT8 with INT8 output (float scaling), run when named
    {"int8i8", CUDA_R_8I, CUDA_R_8I, 1, 1, CUSPARSE_COMPUTE_32I, CUBLAS_COMPUTE_32I, CUDA_R_32F},
};

static const long kShapes[][3] = {  // (N, K, M)
    {4096, 4096, 16}, {4096, 4096, 2048}, {11008, 4096, 2048}, {8192, 8192, 8192}, {16384, 16384, 8192}};

static const int kWarmup = 10;
static const int kIters = 50;
static const int kHeld = 64;

static double median(std::vector<double> v);

// the flag the stream waits on for the "held" timing (see the top of this file); the driver entry
// point is looked up with cudaGetDriverEntryPointByVersion, which needs CUDA 12.5 or newer
typedef CUresult (*WaitValue32Fn)(CUstream, CUdeviceptr, cuuint32_t, unsigned int);
static WaitValue32Fn gWaitValue32 = nullptr;
static volatile uint32_t* gHoldFlag = nullptr;
static CUdeviceptr gHoldFlagDevice = 0;

static void initHold() {
    void* fn = nullptr;
    cudaDriverEntryPointQueryResult q;
    if (cudaGetDriverEntryPointByVersion("cuStreamWaitValue32", &fn, 12000, cudaEnableDefault, &q) != cudaSuccess
        || q != cudaDriverEntryPointSuccess || fn == nullptr) {
        fprintf(stderr, "cuStreamWaitValue32 not found: no held timing\n");
        return;
    }
    void* host = nullptr;
    void* dev = nullptr;
    CHECK_CUDA(cudaHostAlloc(&host, sizeof(uint32_t), cudaHostAllocMapped));
    CHECK_CUDA(cudaHostGetDevicePointer(&dev, host, 0));
    gHoldFlag = (volatile uint32_t*) host;
    gHoldFlagDevice = (CUdeviceptr) dev;
    gWaitValue32 = (WaitValue32Fn) fn;
}

// Median of the intervals between kHeld back-to-back calls enqueued behind a held stream, in ms;
// -1 when the stream cannot be held or the watchdog had to release it.
template <typename F>
static double heldMs(F call, cudaStream_t stream) {
    if (gWaitValue32 == nullptr) return -1;
    *gHoldFlag = 0;
    std::vector<cudaEvent_t> ev(kHeld + 1);
    for (auto& e : ev) CHECK_CUDA(cudaEventCreate(&e));
    CUresult r = gWaitValue32((CUstream) stream, gHoldFlagDevice, 1, CU_STREAM_WAIT_VALUE_GEQ);
    if (r != CUDA_SUCCESS) {
        fprintf(stderr, "cuStreamWaitValue32 -> %d: no held timing\n", (int) r);
        gWaitValue32 = nullptr;
        for (auto& e : ev) CHECK_CUDA(cudaEventDestroy(e));
        return -1;
    }
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> fired{false};
    std::thread watchdog([&] {
        std::unique_lock<std::mutex> lock(mu);
        if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) {
            fired = true;
            *gHoldFlag = 1;
        }
    });
    CHECK_CUDA(cudaEventRecord(ev[0], stream));
    for (int i = 0; i < kHeld; i++) {
        call();
        CHECK_CUDA(cudaEventRecord(ev[i + 1], stream));
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    *gHoldFlag = 1;
    {
        std::lock_guard<std::mutex> lock(mu);
        done = true;
    }
    cv.notify_all();
    watchdog.join();
    CHECK_CUDA(cudaStreamSynchronize(stream));
    std::vector<double> dev(kHeld);
    for (int i = 0; i < kHeld; i++) {
        float f;
        CHECK_CUDA(cudaEventElapsedTime(&f, ev[i], ev[i + 1]));
        dev[i] = f;
    }
    for (auto& e : ev) CHECK_CUDA(cudaEventDestroy(e));
    if (fired) {
        fprintf(stderr, "held timing: an enqueue blocked behind the held stream; released by the watchdog\n");
        return -1;
    }
    return median(dev);
}

static inline uint64_t splitmix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Fills a device buffer by tiling a 16 MiB block of pseudo-random values of the input type: element i
// of the block is derived from x = splitmix64(seed * 2^32 + i): floats (x >> 40) / 2^23 - 1 in [-1, 1),
// rounded to the type; INT8 (x >> 60) - 8 in [-8, 7].
static void fillRandom(void* dev, size_t bytes, const TypeCfg& t, uint64_t seed) {
    const size_t block = std::min<size_t>(bytes, 16u << 20);
    std::vector<uint8_t> host(block);
    for (size_t i = 0; i < block / t.inBytes; i++) {
        uint64_t x = splitmix64((seed << 32) + i);
        float v = (float) ((double) (x >> 40) / 8388608.0 - 1.0);
        if (t.in == CUDA_R_16F) { __half h = __float2half_rn(v); memcpy(&host[2 * i], &h, 2); }
        else if (t.in == CUDA_R_16BF) { __nv_bfloat16 h = __float2bfloat16_rn(v); memcpy(&host[2 * i], &h, 2); }
        else if (t.in == CUDA_R_8I) { host[i] = (uint8_t) (int8_t) ((int) (x >> 60) - 8); }
        else { __nv_fp8_e4m3 f(v); memcpy(&host[i], &f, 1); }
    }
    for (size_t off = 0; off < bytes; off += block) {
        CHECK_CUDA(cudaMemcpy((char*) dev + off, host.data(), std::min(block, bytes - off), cudaMemcpyHostToDevice));
    }
}

struct Alg { int id, splitK, splitKMode, splitKBuffers; };

// Reads type,N,K,M,...,alg_id,split_k,split_k_mode,split_k_buffers rows of an earlier run's CSV.
static std::map<std::string, Alg> readAlgs(const std::string& path) {
    std::map<std::string, Alg> out;
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> head;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) f.push_back(cell);
        if (head.empty()) { head = f; continue; }
        auto col = [&](const char* name) { return (size_t) (std::find(head.begin(), head.end(), name) - head.begin()); };
        size_t id = col("alg_id"), sk = col("split_k"), mode = col("split_k_mode"), bufs = col("split_k_buffers");
        if (f.size() <= bufs) continue;
        out[f[0] + "," + f[1] + "," + f[2] + "," + f[3]] =
            Alg{std::stoi(f[id]), std::stoi(f[sk]), std::stoi(f[mode]), std::stoi(f[bufs])};
    }
    return out;
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

template <typename F>
static void timeIt(F call, cudaStream_t stream, double* ms, double* hostUs, double* held) {
    for (int i = 0; i < kWarmup; i++) call();
    CHECK_CUDA(cudaStreamSynchronize(stream));
    std::vector<cudaEvent_t> ev(2 * kIters);
    for (auto& e : ev) CHECK_CUDA(cudaEventCreate(&e));
    std::vector<double> host(kIters), dev(kIters);
    for (int i = 0; i < kIters; i++) {
        CHECK_CUDA(cudaEventRecord(ev[2 * i], stream));
        auto t0 = std::chrono::steady_clock::now();
        call();
        auto t1 = std::chrono::steady_clock::now();
        CHECK_CUDA(cudaEventRecord(ev[2 * i + 1], stream));
        host[i] = std::chrono::duration<double, std::micro>(t1 - t0).count();
    }
    CHECK_CUDA(cudaStreamSynchronize(stream));
    for (int i = 0; i < kIters; i++) {
        float f;
        CHECK_CUDA(cudaEventElapsedTime(&f, ev[2 * i], ev[2 * i + 1]));
        dev[i] = f;
    }
    for (auto& e : ev) CHECK_CUDA(cudaEventDestroy(e));
    *ms = median(dev);
    *hostUs = median(host);
    *held = heldMs(call, stream);
}

int main(int argc, char** argv) {
    std::vector<std::string> want;
    std::map<std::string, Alg> fixedAlgs;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a.rfind("--algs=", 0) == 0) fixedAlgs = readAlgs(a.substr(7));
        else want.push_back(a);
    }
    const bool fixedMode = !fixedAlgs.empty();
    cudaStream_t stream;
    CHECK_CUDA(cudaStreamCreate(&stream));
    initHold();
    cusparseLtHandle_t lt;
    CHECK_LT(cusparseLtInit(&lt));
    cublasLtHandle_t blas;
    CHECK_BLAS(cublasLtCreate(&blas));
    size_t blasWsSize = 64u << 20;
    void* blasWs;
    CHECK_CUDA(cudaMalloc(&blasWs, blasWsSize));
    printf("type,N,K,M,layoutC,dense_ms,cpp_sparse_ms,cpp_host_us,dense_host_us,alg_id,split_k,split_k_mode,"
           "split_k_buffers,compressed_before,compressed_after,workspace_before,workspace_after,cpp_cfg_ms,cpp_cfg_host_us,"
           "cpp_held_ms,cpp_cfg_held_ms,dense_held_ms\n");
    fflush(stdout);
    for (const TypeCfg& t : kTypes) {
        if (want.empty() ? std::string(t.name) == "int8i8"
                         : std::find(want.begin(), want.end(), t.name) == want.end()) continue;
        for (auto& sh : kShapes) {
            const long m = sh[0], k = sh[1], n = sh[2];
            void *dA, *dB, *dC, *dAc, *dCbuf = nullptr, *ws = nullptr;
            CHECK_CUDA(cudaMalloc(&dA, (size_t) m * k * t.inBytes));
            CHECK_CUDA(cudaMalloc(&dB, (size_t) k * n * t.inBytes));
            CHECK_CUDA(cudaMalloc(&dC, (size_t) m * n * t.outBytes));
            fillRandom(dA, (size_t) m * k * t.inBytes, t, 1);
            fillRandom(dB, (size_t) k * n * t.inBytes, t, 2);
            CHECK_CUDA(cudaMemset(dC, 0, (size_t) m * n * t.outBytes));
            cusparseLtMatDescriptor_t a, b, c;
            cusparseLtMatmulDescriptor_t mm;
            cusparseLtMatmulAlgSelection_t sel;
            cusparseLtMatmulPlan_t plan;
            CHECK_LT(cusparseLtStructuredDescriptorInit(&lt, &a, m, k, k, 16, t.in, CUSPARSE_ORDER_ROW,
                                                        CUSPARSELT_SPARSITY_50_PERCENT));
            CHECK_LT(cusparseLtDenseDescriptorInit(&lt, &b, k, n, k, 16, t.in, CUSPARSE_ORDER_COL));
            const char* layoutC = "col";
            CHECK_LT(cusparseLtDenseDescriptorInit(&lt, &c, m, n, m, 16, t.out, CUSPARSE_ORDER_COL));
            if (cusparseLtMatmulDescriptorInit(&lt, &mm, CUSPARSE_OPERATION_NON_TRANSPOSE,
                    CUSPARSE_OPERATION_NON_TRANSPOSE, &a, &b, &c, &c, t.ltCompute) != CUSPARSE_STATUS_SUCCESS) {
                CHECK_LT(cusparseLtMatDescriptorDestroy(&c));
                layoutC = "row";
                CHECK_LT(cusparseLtDenseDescriptorInit(&lt, &c, m, n, n, 16, t.out, CUSPARSE_ORDER_ROW));
                CHECK_LT(cusparseLtMatmulDescriptorInit(&lt, &mm, CUSPARSE_OPERATION_NON_TRANSPOSE,
                        CUSPARSE_OPERATION_NON_TRANSPOSE, &a, &b, &c, &c, t.ltCompute));
            }
            CHECK_LT(cusparseLtMatmulAlgSelectionInit(&lt, &sel, &mm, CUSPARSELT_MATMUL_ALG_DEFAULT));
            const std::string key = std::string(t.name) + "," + std::to_string(m) + "," + std::to_string(k) + ","
                                    + std::to_string(n);
            const bool fixed = fixedMode && fixedAlgs.count(key);
            if (fixedMode && !fixed) { fprintf(stderr, "no configuration for %s in --algs\n", key.c_str()); continue; }
            if (fixed) {
                const Alg& g = fixedAlgs[key];
                CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel, CUSPARSELT_MATMUL_ALG_CONFIG_ID, &g.id, sizeof(g.id)));
                if (g.splitK > 1) {
                    CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K, &g.splitK, sizeof(int)));
                    CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K_MODE, &g.splitKMode,
                                                             sizeof(int)));
                    CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K_BUFFERS,
                                                             &g.splitKBuffers, sizeof(int)));
                }
            }
            CHECK_LT(cusparseLtMatmulPlanInit(&lt, &plan, &mm, &sel));
            CHECK_LT(cusparseLtSpMMAPrune(&lt, &mm, dA, dA, CUSPARSELT_PRUNE_SPMMA_STRIP, stream));
            size_t cs, cbs, wss;
            CHECK_LT(cusparseLtSpMMACompressedSize(&lt, &plan, &cs, &cbs));
            CHECK_CUDA(cudaMalloc(&dAc, cs));
            if (cbs) CHECK_CUDA(cudaMalloc(&dCbuf, cbs));
            CHECK_LT(cusparseLtSpMMACompress(&lt, &plan, dA, dAc, dCbuf, stream));
            float alpha = 1.f, beta = 0.f;
            CHECK_LT(cusparseLtMatmulGetWorkspace(&lt, &plan, &wss));
            CHECK_CUDA(cudaMalloc(&ws, std::max<size_t>(wss, 256)));
            if (!fixed) CHECK_LT(cusparseLtMatmulSearch(&lt, &plan, &alpha, dAc, dB, &beta, dC, dC, ws, &stream, 1));
            size_t wss2;
            CHECK_LT(cusparseLtMatmulGetWorkspace(&lt, &plan, &wss2));
            if (wss2 > wss) { CHECK_CUDA(cudaFree(ws)); CHECK_CUDA(cudaMalloc(&ws, wss2)); }
            // the searched configuration may use another compressed layout: compress again with it
            size_t cs2, cbs2;
            CHECK_LT(cusparseLtSpMMACompressedSize(&lt, &plan, &cs2, &cbs2));
            if (cs2 > cs) { CHECK_CUDA(cudaFree(dAc)); CHECK_CUDA(cudaMalloc(&dAc, cs2)); }
            if (cbs2 > cbs) { CHECK_CUDA(cudaFree(dCbuf)); CHECK_CUDA(cudaMalloc(&dCbuf, cbs2)); }
            CHECK_LT(cusparseLtSpMMACompress(&lt, &plan, dA, dAc, dCbuf, stream));
            int algId = -1, splitK = 0, splitKMode = 0, splitKBuffers = 0;
            CHECK_LT(cusparseLtMatmulAlgGetAttribute(&lt, &sel, CUSPARSELT_MATMUL_ALG_CONFIG_ID, &algId, sizeof(algId)));
            CHECK_LT(cusparseLtMatmulAlgGetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K, &splitK, sizeof(splitK)));
            CHECK_LT(cusparseLtMatmulAlgGetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K_MODE, &splitKMode,
                                                     sizeof(splitKMode)));
            CHECK_LT(cusparseLtMatmulAlgGetAttribute(&lt, &sel, CUSPARSELT_MATMUL_SPLIT_K_BUFFERS, &splitKBuffers,
                                                     sizeof(splitKBuffers)));
            double sparseMs, sparseUs, sparseHeld;
            timeIt([&] { CHECK_LT(cusparseLtMatmul(&lt, &plan, &alpha, dAc, dB, &beta, dC, dC, ws, &stream, 1)); },
                   stream, &sparseMs, &sparseUs, &sparseHeld);

            // the same configuration on a fresh plan, built the way the Java layer builds a searched or
            // saved configuration: new selection, the id, the split-K settings only when splitK > 1
            // (in --algs mode the plan above already is that plan)
            double cfgMs = sparseMs, cfgUs = sparseUs, cfgHeld = sparseHeld;
            if (!fixed) {
            cusparseLtMatmulAlgSelection_t sel2;
            cusparseLtMatmulPlan_t plan2;
            CHECK_LT(cusparseLtMatmulAlgSelectionInit(&lt, &sel2, &mm, CUSPARSELT_MATMUL_ALG_DEFAULT));
            CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel2, CUSPARSELT_MATMUL_ALG_CONFIG_ID, &algId, sizeof(algId)));
            if (splitK > 1) {
                CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel2, CUSPARSELT_MATMUL_SPLIT_K, &splitK, sizeof(splitK)));
                CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel2, CUSPARSELT_MATMUL_SPLIT_K_MODE, &splitKMode,
                                                         sizeof(splitKMode)));
                CHECK_LT(cusparseLtMatmulAlgSetAttribute(&lt, &sel2, CUSPARSELT_MATMUL_SPLIT_K_BUFFERS, &splitKBuffers,
                                                         sizeof(splitKBuffers)));
            }
            CHECK_LT(cusparseLtMatmulPlanInit(&lt, &plan2, &mm, &sel2));
            size_t cs3, cbs3, wss3;
            CHECK_LT(cusparseLtSpMMACompressedSize(&lt, &plan2, &cs3, &cbs3));
            CHECK_LT(cusparseLtMatmulGetWorkspace(&lt, &plan2, &wss3));
            void *dAc2 = nullptr, *dCbuf2 = nullptr, *ws2 = nullptr;
            CHECK_CUDA(cudaMalloc(&dAc2, cs3));
            CHECK_CUDA(cudaMalloc(&dCbuf2, std::max<size_t>(cbs3, 256)));
            CHECK_CUDA(cudaMalloc(&ws2, std::max<size_t>(wss3, 256)));
            CHECK_LT(cusparseLtSpMMACompress(&lt, &plan2, dA, dAc2, dCbuf2, stream));
            timeIt([&] { CHECK_LT(cusparseLtMatmul(&lt, &plan2, &alpha, dAc2, dB, &beta, dC, dC, ws2, &stream, 1)); },
                   stream, &cfgMs, &cfgUs, &cfgHeld);
            CHECK_CUDA(cudaStreamSynchronize(stream));
            CHECK_LT(cusparseLtMatmulPlanDestroy(&plan2));
            CHECK_LT(cusparseLtMatmulAlgSelectionDestroy(&sel2));
            cudaFree(dAc2); cudaFree(dCbuf2); cudaFree(ws2);
            }

            // dense cuBLASLt on the pruned A: D (m x n col) = (A^T stored k x m col)^T * B (k x n col)
            cublasLtMatmulDesc_t op;
            cublasLtMatrixLayout_t la, lb, lc;
            CHECK_BLAS(cublasLtMatmulDescCreate(&op, t.blasCompute, t.scaleType));
            cublasOperation_t tA = CUBLAS_OP_T, tB = CUBLAS_OP_N;
            CHECK_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &tA, sizeof(tA)));
            CHECK_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tB, sizeof(tB)));
            CHECK_BLAS(cublasLtMatrixLayoutCreate(&la, t.in, k, m, k));
            CHECK_BLAS(cublasLtMatrixLayoutCreate(&lb, t.in, k, n, k));
            CHECK_BLAS(cublasLtMatrixLayoutCreate(&lc, t.out, m, n, m));
            cublasLtMatmulPreference_t pref;
            CHECK_BLAS(cublasLtMatmulPreferenceCreate(&pref));
            CHECK_BLAS(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                            &blasWsSize, sizeof(blasWsSize)));
            cublasLtMatmulHeuristicResult_t heur;
            int found = 0;
            CHECK_BLAS(cublasLtMatmulAlgoGetHeuristic(blas, op, la, lb, lc, lc, pref, 1, &heur, &found));
            double denseMs = -1, denseUs = -1, denseHeld = -1;
            int32_t alphaI = 1, betaI = 0;
            const void* al = t.scaleType == CUDA_R_32I ? (const void*) &alphaI : (const void*) &alpha;
            const void* be = t.scaleType == CUDA_R_32I ? (const void*) &betaI : (const void*) &beta;
            if (found > 0 && !fixed) {  // --algs mode repeats the Java benchmark's sequence: no dense timing
                timeIt([&] { CHECK_BLAS(cublasLtMatmul(blas, op, al, dA, la, dB, lb, be, dC, lc, dC, lc, &heur.algo,
                                                       blasWs, blasWsSize, stream)); },
                       stream, &denseMs, &denseUs, &denseHeld);
            }
            printf("%s,%ld,%ld,%ld,%s,%.4f,%.4f,%.2f,%.2f,%d,%d,%d,%d,%zu,%zu,%zu,%zu,%.4f,%.2f,%.4f,%.4f,%.4f\n", t.name, m,
                   k, n, layoutC, denseMs, sparseMs, sparseUs, denseUs, algId, splitK, splitKMode, splitKBuffers, cs, cs2, wss,
                   wss2, cfgMs, cfgUs, sparseHeld, cfgHeld, denseHeld);
            fflush(stdout);
            cublasLtMatmulPreferenceDestroy(pref);
            cublasLtMatrixLayoutDestroy(la);
            cublasLtMatrixLayoutDestroy(lb);
            cublasLtMatrixLayoutDestroy(lc);
            cublasLtMatmulDescDestroy(op);
            CHECK_LT(cusparseLtMatmulPlanDestroy(&plan));
            CHECK_LT(cusparseLtMatmulAlgSelectionDestroy(&sel));
            CHECK_LT(cusparseLtMatDescriptorDestroy(&a));
            CHECK_LT(cusparseLtMatDescriptorDestroy(&b));
            CHECK_LT(cusparseLtMatDescriptorDestroy(&c));
            cudaFree(dA); cudaFree(dB); cudaFree(dC); cudaFree(dAc); cudaFree(dCbuf); cudaFree(ws);
        }
    }
    cudaFree(blasWs);
    cublasLtDestroy(blas);
    CHECK_LT(cusparseLtDestroy(&lt));
    return 0;
}
