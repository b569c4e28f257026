// Golden-vector generator for the cuSPARSELt compressed format.
//
// Reads case lines from standard input, runs cuSPARSELt (Prune2 / PruneCheck2 /
// CompressedSize2 / Compress2) on the GPU and appends one binary record per case to the
// output file named by the case line. See docs/compressed-format.md for the record format.
//
// Build: see gen_golden.sh (g++ against the cuSPARSELt wheel's header and libcusparseLt.so.0,
// the CUDA runtime, and a directory holding cusparse.h).
//
// Case line (whitespace separated):
//   case <file> <name> <cudaType> <order R|C> <op N|T> <sparseA 1|0> <rows> <cols> <mode> <seed> <plane>
//   sizes <file> <cudaType> <order R|C> <rows> <cols> <ld>
// Modes (content of the logical structured matrix, groups of 4 along the reduction dimension,
// groups of 2 for FP32):
//   random  dense values from a small tie-rich set, pruned by cusparseLtSpMMAPrune2 (STRIP), then
//           ~15% of the kept values zeroed and, in groups left with at most one non-zero, -0 put
//           into some zero positions
//   randown as random, but the kept positions are drawn here (no cusparseLtSpMMAPrune2)
//   vcoord  kept pattern fixed per group; kept values encode digit <plane> of their logical index
//   mcoord  kept pattern = digit <plane> (base = number of patterns) of the group index
//   under   group g holds non-zeros exactly at the positions of bit mask (g mod 2^G) when that
//           mask has at most N bits, else at the mask's lowest N bits; zeros are +0
//   underneg as under, but zero positions hold -0
//   special as random, plus -0 in pruned positions of full groups and NaN / Inf kept values
#include <cuda_runtime_api.h>
#include <cusparseLt.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Rng {  // splitmix64
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    uint32_t below(uint32_t n) { return (uint32_t)(next() % n); }
};

int elemSize(int t) {
    switch (t) {
        case CUDA_R_32F: return 4;
        case CUDA_R_16F:
        case CUDA_R_16BF: return 2;
        default: return 1;
    }
}

uint32_t encOne(int t) {
    switch (t) {
        case CUDA_R_32F: return 0x3F800000u;
        case CUDA_R_16F: return 0x3C00u;
        case CUDA_R_16BF: return 0x3F80u;
        case CUDA_R_8I: return 1u;
        case CUDA_R_8F_E4M3: return 0x38u;
        default: return 0x3Cu;  // e5m2
    }
}

uint32_t negZero(int t) {
    switch (elemSize(t)) {
        case 4: return 0x80000000u;
        case 2: return 0x8000u;
        default: return t == CUDA_R_8I ? 0u : 0x80u;  // int8 has no -0
    }
}

// base of one value digit, and the encoding of digit d (non-zero, finite)
uint64_t digitBase(int t) {
    switch (elemSize(t)) {
        case 4: return 1ull << 23;
        case 2: return 30000;
        default: return 120;
    }
}

uint32_t encDigit(int t, uint64_t d) {
    switch (t) {
        case CUDA_R_32F: return 0x3F800000u | (uint32_t)d;
        case CUDA_R_16F: return 0x0400u + (uint32_t)d;
        case CUDA_R_16BF: return 0x0080u + (uint32_t)d;
        default: return 1u + (uint32_t)d;
    }
}

// tie-rich random value (may be zero)
uint32_t randomValue(int t, Rng& r) {
    static const uint32_t f32[] = {0x3F800000u, 0xBF800000u, 0x40000000u, 0xC0000000u, 0x3F000000u,
                                   0xBF000000u, 0x3F8CCCCDu, 0x3DCCCCCDu, 0xBE99999Au, 0x00000001u,
                                   0x7F7FFFFFu, 0x40490FDBu};
    static const uint32_t f16[] = {0x3C00u, 0xBC00u, 0x4000u, 0xC000u, 0x3800u, 0xB800u,
                                   0x3C01u, 0x2E66u, 0xB4CDu, 0x0001u, 0x7BFFu, 0x4248u};
    static const uint32_t b16[] = {0x3F80u, 0xBF80u, 0x4000u, 0xC000u, 0x3F00u, 0xBF00u,
                                   0x3F81u, 0x3DCDu, 0xBE9Au, 0x0001u, 0x7F7Fu, 0x4049u};
    static const uint32_t i8[] = {1u, 0xFFu, 2u, 0xFEu, 3u, 0xFDu, 7u, 0x80u, 0x7Fu, 0x40u, 0xC0u, 5u};
    static const uint32_t e43[] = {0x38u, 0xB8u, 0x40u, 0xC0u, 0x30u, 0xB0u,
                                   0x39u, 0x01u, 0x7Eu, 0xFEu, 0x44u, 0x22u};
    static const uint32_t e52[] = {0x3Cu, 0xBCu, 0x40u, 0xC0u, 0x38u, 0xB8u,
                                   0x3Du, 0x01u, 0x7Bu, 0xFBu, 0x42u, 0x2Eu};
    if (r.below(10) == 0) return 0;
    uint32_t i = r.below(12);
    switch (t) {
        case CUDA_R_32F: return f32[i];
        case CUDA_R_16F: return f16[i];
        case CUDA_R_16BF: return b16[i];
        case CUDA_R_8I: return i8[i];
        case CUDA_R_8F_E4M3: return e43[i];
        default: return e52[i];
    }
}

bool isZeroBits(int t, uint32_t v) {
    switch (elemSize(t)) {
        case 4: return (v & 0x7FFFFFFFu) == 0;
        case 2: return (v & 0x7FFFu) == 0;
        default: return t == CUDA_R_8I ? (v & 0xFFu) == 0 : (v & 0x7Fu) == 0;
    }
}

uint32_t nanBits(int t) {
    switch (t) {
        case CUDA_R_32F: return 0x7FC00000u;
        case CUDA_R_16F: return 0x7E00u;
        case CUDA_R_16BF: return 0x7FC0u;
        case CUDA_R_8I: return 0x80u;
        case CUDA_R_8F_E4M3: return 0x7Fu;
        default: return 0x7Eu;
    }
}

uint32_t infBits(int t) {
    switch (t) {
        case CUDA_R_32F: return 0xFF800000u;
        case CUDA_R_16F: return 0xFC00u;
        case CUDA_R_16BF: return 0xFF80u;
        case CUDA_R_8I: return 0x7Fu;
        case CUDA_R_8F_E4M3: return 0xFEu;  // max finite, e4m3 has no infinity
        default: return 0xFCu;
    }
}

struct Matrix {
    int type;
    bool rowMajor;
    bool opT;
    bool sparseA;
    int64_t rows, cols;
    std::vector<uint8_t> bytes;

    int64_t ld() const { return rowMajor ? cols : rows; }
    // logical P x K matrix: groups along K (the reduction dimension)
    int64_t P() const { return sparseA ? (opT ? cols : rows) : (opT ? rows : cols); }
    int64_t K() const { return sparseA ? (opT ? rows : cols) : (opT ? cols : rows); }
    int64_t storedIndex(int64_t p, int64_t q) const {
        // op(S)[a][b]; for A: (a,b) = (p,q); for B: (a,b) = (q,p)
        int64_t a = sparseA ? p : q, b = sparseA ? q : p;
        int64_t r = opT ? b : a, c = opT ? a : b;  // S[r][c]
        return rowMajor ? r * cols + c : c * rows + r;
    }
    uint32_t getStored(int64_t i) const {
        uint32_t v = 0;
        std::memcpy(&v, &bytes[i * elemSize(type)], elemSize(type));
        return v;
    }
    void setStored(int64_t i, uint32_t v) { std::memcpy(&bytes[i * elemSize(type)], &v, elemSize(type)); }
    uint32_t get(int64_t p, int64_t q) const { return getStored(storedIndex(p, q)); }
    void set(int64_t p, int64_t q, uint32_t v) { setStored(storedIndex(p, q), v); }
};

#define CK(x)                                                                                    \
    do {                                                                                         \
        cudaError_t e_ = (x);                                                                    \
        if (e_ != cudaSuccess) {                                                                 \
            std::fprintf(stderr, "CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, \
                         __LINE__);                                                              \
            std::exit(2);                                                                        \
        }                                                                                        \
    } while (0)

std::map<std::string, FILE*> files;

FILE* out(const std::string& name) {
    auto it = files.find(name);
    if (it != files.end()) return it->second;
    FILE* f = std::fopen(name.c_str(), "ab");
    if (!f) {
        std::perror(name.c_str());
        std::exit(2);
    }
    if (std::ftell(f) == 0) std::fwrite("S4JGOLD1", 1, 8, f);
    files[name] = f;
    return f;
}

template <typename T>
void put(FILE* f, T v) {
    std::fwrite(&v, sizeof v, 1, f);
}

void putBytes(FILE* f, const std::vector<uint8_t>& b) {
    put<uint64_t>(f, b.size());
    if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
}

struct Record {
    int type = 0, order = 0, op = 0, sparseA = 1;
    int64_t rows = 0, cols = 0, ld = 0;
    int stage = 0, status = 0, checkValid = -1;
    std::string name;
    uint64_t csize = 0, cbuf = 0;
    std::vector<uint8_t> input, output, output2;
};

void write(FILE* f, const Record& r) {
    put<uint32_t>(f, 0x31434552u);  // "REC1"
    put<uint8_t>(f, (uint8_t)r.type);
    put<uint8_t>(f, (uint8_t)r.order);
    put<uint8_t>(f, (uint8_t)r.op);
    put<uint8_t>(f, (uint8_t)r.sparseA);
    put<int32_t>(f, (int32_t)r.rows);
    put<int32_t>(f, (int32_t)r.cols);
    put<int64_t>(f, r.ld);
    put<int32_t>(f, r.stage);
    put<int32_t>(f, r.status);
    put<int32_t>(f, r.checkValid);
    put<uint16_t>(f, (uint16_t)r.name.size());
    std::fwrite(r.name.data(), 1, r.name.size(), f);
    put<uint64_t>(f, r.csize);
    put<uint64_t>(f, r.cbuf);
    putBytes(f, r.input);
    putBytes(f, r.output);
    put<uint8_t>(f, r.output2.empty() ? 0 : 1);
    if (!r.output2.empty()) putBytes(f, r.output2);
    std::fflush(f);
}

cusparseLtHandle_t handle;
const char* progressPath = nullptr;
long currentLine = 0;

// Records which line and stage run now, so that a driver can resume after a crash inside the library.
void progress(int stage) {
    if (!progressPath) return;
    FILE* f = std::fopen(progressPath, "w");
    if (f) {
        std::fprintf(f, "%ld %d\n", currentLine, stage);
        std::fclose(f);
    }
}

// crashedStage > 0: the process running this case died in that stage; write a record saying so.
void runCase(std::istringstream& in, int crashedStage) {
    std::string file, name, ord, opS, mode;
    int type, sparseA;
    int64_t rows, cols;
    uint64_t seed;
    int plane;
    in >> file >> name >> type >> ord >> opS >> sparseA >> rows >> cols >> mode >> seed >> plane;
    Record rec;
    rec.type = type;
    rec.order = ord == "C" ? 1 : 0;
    rec.op = opS == "T" ? 1 : 0;
    rec.sparseA = sparseA;
    rec.rows = rows;
    rec.cols = cols;
    rec.name = name;
    Matrix m{type, ord != "C", opS == "T", sparseA != 0, rows, cols, {}};
    rec.ld = m.ld();
    if (crashedStage > 0) {
        rec.stage = 9;
        rec.status = crashedStage;
        write(out(file), rec);
        return;
    }
    progress(1);
    const int es = elemSize(type);
    const int G = type == CUDA_R_32F ? 2 : 4;  // group size
    const int N = type == CUDA_R_32F ? 1 : 2;  // kept per group
    cusparseLtMatDescriptor_t desc;
    cusparseStatus_t st = cusparseLtStructuredDescriptorInit(
        &handle, &desc, rows, cols, m.ld(), 16, (cudaDataType)type,
        m.rowMajor ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL, CUSPARSELT_SPARSITY_50_PERCENT);
    if (st != CUSPARSE_STATUS_SUCCESS) {
        rec.stage = 1;
        rec.status = st;
        write(out(file), rec);
        return;
    }
    size_t csize = 0, cbuf = 0;
    st = cusparseLtSpMMACompressedSize2(&handle, &desc, &csize, &cbuf);
    rec.csize = csize;
    rec.cbuf = cbuf;
    if (st != CUSPARSE_STATUS_SUCCESS) {
        rec.stage = 2;
        rec.status = st;
        cusparseLtMatDescriptorDestroy(&desc);
        write(out(file), rec);
        return;
    }
    const int64_t count = rows * cols;
    m.bytes.assign(count * es, 0);
    Rng rng(seed);
    const int64_t P = m.P(), K = m.K();
    const cusparseOperation_t op = m.opT ? CUSPARSE_OPERATION_TRANSPOSE : CUSPARSE_OPERATION_NON_TRANSPOSE;
    // kept patterns of one group (bit masks with N bits out of G)
    std::vector<int> patterns;
    for (int mask = 0; mask < (1 << G); mask++)
        if (__builtin_popcount(mask) == N) patterns.push_back(mask);
    const int npat = (int)patterns.size();
    void* dIn = nullptr;
    void* dOut = nullptr;
    void* dBuf = nullptr;
    int* dValid = nullptr;
    CK(cudaMalloc(&dIn, count * es));
    CK(cudaMalloc(&dOut, csize));
    CK(cudaMalloc(&dBuf, cbuf > 0 ? cbuf : 1));
    CK(cudaMalloc((void**)&dValid, sizeof(int)));
    progress(3);
    if (mode == "random" || mode == "special") {
        for (int64_t i = 0; i < count; i++) m.setStored(i, randomValue(type, rng));
        CK(cudaMemcpy(dIn, m.bytes.data(), count * es, cudaMemcpyHostToDevice));
        void* dPruned = nullptr;
        CK(cudaMalloc(&dPruned, count * es));
        CK(cudaMemcpy(dPruned, dIn, count * es, cudaMemcpyDeviceToDevice));
        st = cusparseLtSpMMAPrune2(&handle, &desc, sparseA, op, dIn, dPruned, CUSPARSELT_PRUNE_SPMMA_STRIP,
                                   nullptr);
        CK(cudaDeviceSynchronize());
        if (st != CUSPARSE_STATUS_SUCCESS) {
            rec.stage = 3;
            rec.status = st;
        }
        CK(cudaMemcpy(m.bytes.data(), dPruned, count * es, cudaMemcpyDeviceToHost));
        CK(cudaFree(dPruned));
        for (int64_t p = 0; p < P; p++) {
            for (int64_t g = 0; g + G <= K; g += G) {
                int nz = 0;
                for (int j = 0; j < G; j++) {
                    uint32_t v = m.get(p, g + j);
                    if (!isZeroBits(type, v) && rng.below(100) < 15) m.set(p, g + j, 0), v = 0;
                    if (!isZeroBits(type, v)) nz++;
                }
                if (mode == "special" && nz == N && rng.below(4) == 0) {
                    for (int j = 0; j < G; j++)
                        if (isZeroBits(type, m.get(p, g + j))) {
                            m.set(p, g + j, negZero(type));
                            break;
                        }
                }
                if (mode == "special" && nz > 0 && rng.below(8) == 0) {
                    for (int j = 0; j < G; j++)
                        if (!isZeroBits(type, m.get(p, g + j))) {
                            m.set(p, g + j, rng.below(2) ? nanBits(type) : infBits(type));
                            break;
                        }
                }
                if (nz < N && rng.below(3) == 0) {
                    for (int j = 0; j < G; j++)
                        if (isZeroBits(type, m.get(p, g + j)) && rng.below(2)) m.set(p, g + j, negZero(type));
                }
            }
        }
    } else if (mode == "randown") {
        for (int64_t p = 0; p < P; p++) {
            for (int64_t g = 0; g + G <= K; g += G) {
                int pat = patterns[rng.below(npat)];
                int nz = 0;
                for (int j = 0; j < G; j++) {
                    uint32_t v = (pat >> j & 1) ? randomValue(type, rng) : 0u;
                    if (!isZeroBits(type, v) && rng.below(100) < 15) v = 0;
                    if (!isZeroBits(type, v)) nz++;
                    m.set(p, g + j, v);
                }
                if (nz < N && rng.below(3) == 0) {
                    for (int j = 0; j < G; j++)
                        if (isZeroBits(type, m.get(p, g + j)) && rng.below(2)) m.set(p, g + j, negZero(type));
                }
            }
        }
    } else if (mode == "vcoord" || mode == "mcoord") {
        uint64_t base = digitBase(type), div = 1;
        for (int i = 0; i < plane; i++) div *= (mode == "vcoord" ? base : (uint64_t)npat);
        for (int64_t p = 0; p < P; p++) {
            for (int64_t g = 0; g + G <= K; g += G) {
                int64_t gi = p * (K / G) + g / G;
                int pat = mode == "vcoord" ? patterns[(gi * 5 + 1) % npat] : patterns[(gi / div) % npat];
                for (int j = 0; j < G; j++) {
                    uint32_t v = 0;
                    if (pat >> j & 1) {
                        v = mode == "vcoord" ? encDigit(type, ((uint64_t)(p * K + g + j) / div) % base) : encOne(type);
                    }
                    m.set(p, g + j, v);
                }
            }
        }
    } else if (mode == "under" || mode == "underneg") {
        for (int64_t p = 0; p < P; p++) {
            for (int64_t g = 0; g + G <= K; g += G) {
                int64_t gi = p * (K / G) + g / G;
                int mask = (int)(gi % (1 << G));
                while (__builtin_popcount(mask) > N) mask &= mask - 1;
                for (int j = 0; j < G; j++) {
                    uint32_t v = (mask >> j & 1) ? randomValue(type, rng) : (mode == "underneg" ? negZero(type) : 0u);
                    if ((mask >> j & 1) && isZeroBits(type, v)) v = encOne(type);
                    m.set(p, g + j, v);
                }
            }
        }
    } else {
        std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
        std::exit(2);
    }
    rec.input = m.bytes;
    progress(5);
    CK(cudaMemcpy(dIn, m.bytes.data(), count * es, cudaMemcpyHostToDevice));
    st = cusparseLtSpMMAPruneCheck2(&handle, &desc, sparseA, op, dIn, dValid, nullptr);
    CK(cudaDeviceSynchronize());
    if (st == CUSPARSE_STATUS_SUCCESS) {
        int valid = -1;
        CK(cudaMemcpy(&valid, dValid, sizeof(int), cudaMemcpyDeviceToHost));
        rec.checkValid = valid;
    } else if (rec.stage == 0) {
        rec.stage = 5;
        rec.status = st;
    }
    progress(4);
    for (int fill = 0; fill < 2; fill++) {
        CK(cudaMemset(dOut, fill ? 0xFF : 0x00, csize));
        st = cusparseLtSpMMACompress2(&handle, &desc, sparseA, op, dIn, dOut, dBuf, nullptr);
        CK(cudaDeviceSynchronize());
        if (st != CUSPARSE_STATUS_SUCCESS) {
            rec.stage = 4;
            rec.status = st;
            break;
        }
        std::vector<uint8_t> o(csize);
        CK(cudaMemcpy(o.data(), dOut, csize, cudaMemcpyDeviceToHost));
        if (fill == 0)
            rec.output = o;
        else if (o != rec.output)
            rec.output2 = o;
    }
    cudaFree(dIn);
    cudaFree(dOut);
    cudaFree(dBuf);
    cudaFree(dValid);
    cusparseLtMatDescriptorDestroy(&desc);
    write(out(file), rec);
}

void runSizes(std::istringstream& in) {
    std::string file, ord;
    int type;
    int64_t rows, cols, ld;
    in >> file >> type >> ord >> rows >> cols >> ld;
    cusparseLtMatDescriptor_t desc;
    cusparseStatus_t st = cusparseLtStructuredDescriptorInit(
        &handle, &desc, rows, cols, ld, 16, (cudaDataType)type,
        ord == "C" ? CUSPARSE_ORDER_COL : CUSPARSE_ORDER_ROW, CUSPARSELT_SPARSITY_50_PERCENT);
    size_t csize = 0, cbuf = 0;
    int stage = 0;
    if (st != CUSPARSE_STATUS_SUCCESS) {
        stage = 1;
    } else {
        st = cusparseLtSpMMACompressedSize2(&handle, &desc, &csize, &cbuf);
        if (st != CUSPARSE_STATUS_SUCCESS) stage = 2;
        cusparseLtMatDescriptorDestroy(&desc);
    }
    FILE* f = files.count(file) ? files[file] : nullptr;
    if (!f) {
        f = std::fopen(file.c_str(), "a");
        files[file] = f;
        if (std::ftell(f) == 0) std::fprintf(f, "type\torder\trows\tcols\tld\tstage\tstatus\tcompressedSize\tcompressedBufferSize\n");
    }
    std::fprintf(f, "%d\t%s\t%lld\t%lld\t%lld\t%d\t%d\t%zu\t%zu\n", type, ord.c_str(), (long long)rows,
                 (long long)cols, (long long)ld, stage, (int)st, csize, cbuf);
    std::fflush(f);
}

}  // namespace

// Usage: cusparselt_golden <cases file> [first line] [progress file]
//        cusparselt_golden --crashed <cases file> <file of "line stage" pairs>  (writes stage-9 records)
int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <cases> [first line] [progress file] | --crashed <cases> <pairs>\n", argv[0]);
        return 2;
    }
    bool crashed = std::string(argv[1]) == "--crashed";
    std::ifstream cases(argv[crashed ? 2 : 1]);
    std::vector<std::string> lines;
    for (std::string l; std::getline(cases, l);) lines.push_back(l);
    if (crashed) {  // argv[3]: file of "<line> <stage>" pairs
        std::ifstream pairs(argv[3]);
        long line;
        int stage;
        while (pairs >> line >> stage) {
            currentLine = line;
            std::istringstream in(lines.at(line));
            std::string kind;
            in >> kind;
            if (kind == "case") runCase(in, stage);
        }
        for (auto& kv : files) std::fclose(kv.second);
        return 0;
    }
    long first = argc > 2 ? std::atol(argv[2]) : 0;
    progressPath = argc > 3 ? argv[3] : nullptr;
    int dev = 0;
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, dev));
    std::printf("GPU: %s, SM %d.%d\n", prop.name, prop.major, prop.minor);
    cusparseStatus_t st = cusparseLtInit(&handle);
    if (st != CUSPARSE_STATUS_SUCCESS) {
        std::fprintf(stderr, "cusparseLtInit failed: %d\n", (int)st);
        return 2;
    }
    int version = 0;
    cusparseLtGetVersion(&handle, &version);
    std::printf("cuSPARSELt version: %d (header %d)\n", version, CUSPARSELT_VERSION);
    std::fflush(stdout);
    long done = 0;
    for (currentLine = first; currentLine < (long)lines.size(); currentLine++) {
        const std::string& line = lines[currentLine];
        if (line.empty() || line[0] == '#') continue;
        progress(0);
        std::istringstream in(line);
        std::string kind;
        in >> kind;
        if (kind == "case")
            runCase(in, 0);
        else if (kind == "sizes")
            runSizes(in);
        else {
            std::fprintf(stderr, "bad line: %s\n", line.c_str());
            return 2;
        }
        done++;
    }
    for (auto& kv : files) std::fclose(kv.second);
    cusparseLtDestroy(&handle);
    std::printf("done: %ld lines from line %ld\n", done, first);
    return 0;
}
