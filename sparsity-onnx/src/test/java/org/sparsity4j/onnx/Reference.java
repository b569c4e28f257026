package org.sparsity4j.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/**
 * The expected result of pruning, built independently of the pruner's writing path: the original
 * model with every tensor the report prunes masked by the core maskers directly, and every
 * external tensor inlined.
 */
final class Reference {
    private Reference() {
    }

    static Path masked(Path original, PruneReport report, Path dir, String name) throws IOException {
        ModelFile mf = ModelFile.open(original);
        Map<String, TensorProto> all = new LinkedHashMap<>();
        TensorWalker.forEach(mf.proto(), all::put);
        Map<String, TensorProto> repl = new HashMap<>();
        SparsityPattern p = SparsityPattern.parse(report.pattern());
        for (TensorReport t : report.tensors()) {
            if (t.action() != Action.PRUNE) {
                continue;
            }
            TensorProto proto = all.get(t.path());
            ElementType type = DataTypes.elementType(proto.getDataType());
            Tensor w = TensorData.load(proto, t.name(), type, mf.baseDir()).copy();
            if (report.mask() == MaskChoice.TILE) {
                TileMasker.twoOfFour().prune(w, t.axis(), t.otherAxis());
            } else {
                StripMasker.of(p).prune(w, t.axis());
            }
            repl.put(t.path(), proto.toBuilder().clearFloatData().clearInt32Data().clearExternalData()
                    .clearDataLocation().setRawData(ByteString.copyFrom(w.toLittleEndianBytes())).build());
        }
        for (Map.Entry<String, TensorProto> e : all.entrySet()) {
            TensorProto proto = e.getValue();
            if (!repl.containsKey(e.getKey()) && proto.getDataLocation() == TensorData.EXTERNAL) {
                ExternalRef ref = TensorData.external(proto, proto.getName(), mf.baseDir(), -1);
                ByteBuffer b = ByteBuffer.allocate((int) ref.length());
                TensorData.readFully(ref, b, proto.getName());
                b.flip();
                repl.put(e.getKey(), proto.toBuilder().clearExternalData().clearDataLocation()
                        .setRawData(ByteString.copyFrom(b)).build());
            }
        }
        ModelProto m = TensorReplacer.replace(mf.proto(), repl);
        Path out = dir.resolve(name);
        Files.write(out, m.toByteArray());
        return out;
    }
}
