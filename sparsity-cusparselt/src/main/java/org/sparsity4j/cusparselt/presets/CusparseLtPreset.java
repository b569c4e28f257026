package org.sparsity4j.cusparselt.presets;

import org.bytedeco.cuda.presets.cudart;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP preset for {@code cusparseLt.h} (cuSPARSELt 0.8), inheriting bytedeco's CUDA runtime preset.
 *
 * <p>Only {@code cusparseLt.h} is parsed. The CUDA runtime headers that the inherited preset lists
 * are marked {@code exclude}, so the parser tolerates their absence and the generated JNI source
 * includes {@code cusparseLt.h} alone (which includes what it needs itself); the few CUDA and
 * cuSPARSE types that {@code cusparseLt.h} uses are mapped explicitly below. The generated classes
 * live in {@code org.sparsity4j.cusparselt.gen} (source folder {@code src/gen/java}) and are an
 * implementation detail of this module: no public signature exposes them. The regeneration command is
 * in the module's README.
 */
@Properties(
        inherit = cudart.class,
        value = @Platform(
                value = {"linux-x86_64"},
                include = {"cusparseLt.h"},
                exclude = {"<cuda.h>", "<crt/host_defines.h>", "<device_types.h>", "<driver_types.h>",
                        "<surface_types.h>", "<texture_types.h>", "<vector_types.h>", "<builtin_types.h>",
                        "<cuda_runtime_api.h>", "<driver_functions.h>", "<vector_functions.h>",
                        "<cuComplex.h>", "<cuda_fp16.h>", "<cuda_fp16.hpp>", "<cuda_bf16.h>",
                        "<cuda_bf16.hpp>", "<library_types.h>", "<cudaGL.h>", "<cuda_gl_interop.h>"},
                link = {"cusparseLt@.0"},
                library = "jniCusparseLt"),
        target = "org.sparsity4j.cusparselt.gen",
        global = "org.sparsity4j.cusparselt.gen.global.cusparseLt")
public class CusparseLtPreset implements InfoMapper {

    /** Creates the preset; JavaCPP instantiates it reflectively while parsing. */
    public CusparseLtPreset() {
    }

    /**
     * Maps the declarations of {@code cusparseLt.h} that the parser cannot resolve on its own.
     *
     * @param infoMap the map to fill
     */
    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("CUSPARSELT_API").cppTypes().annotations())
                .put(new Info("CUSPARSELT_HEADER_", "CUSPARSELT_VERSION").skip())
                .put(new Info("cusparseStatus_t", "cusparseOperation_t", "cusparseOrder_t", "cudaDataType",
                        "libraryPropertyType").cast().valueTypes("int").pointerTypes("IntPointer", "IntBuffer", "int[]"))
                .put(new Info("cudaStream_t").valueTypes("org.bytedeco.cuda.cudart.CUstream_st")
                        .pointerTypes("@Cast(\"cudaStream_t*\") org.bytedeco.javacpp.PointerPointer"));
    }
}
