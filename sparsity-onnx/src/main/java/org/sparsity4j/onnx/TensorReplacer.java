package org.sparsity4j.onnx;

import java.util.Map;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;

/**
 * Replaces tensors, named by {@link TensorPaths path}, in a model; only the messages on the way
 * to a replaced tensor are rebuilt, everything else (unknown fields included) is shared.
 */
final class TensorReplacer {
    private TensorReplacer() {
    }

    /**
     * Returns the model with the given tensors replaced.
     *
     * @param model the model
     * @param replacements path to new tensor
     * @return the new model (the same instance if there is nothing to replace)
     */
    public static ModelProto replace(ModelProto model, Map<String, org.sparsity4j.onnx.proto.OnnxSubset.TensorProto>
            replacements) {
        if (replacements.isEmpty()) {
            return model;
        }
        return model.toBuilder().setGraph(graph(model.getGraph(), TensorPaths.GRAPH, replacements)).build();
    }

    private static boolean touches(String path, Map<String, ?> replacements) {
        String prefix = path + "/";
        for (String k : replacements.keySet()) {
            if (k.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static GraphProto graph(GraphProto g, String path,
            Map<String, org.sparsity4j.onnx.proto.OnnxSubset.TensorProto> r) {
        if (!touches(path, r)) {
            return g;
        }
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            var t = r.get(TensorPaths.initializer(path, i));
            if (t != null) {
                b.setInitializer(i, t);
            }
        }
        for (int j = 0; j < g.getNodeCount(); j++) {
            String np = TensorPaths.node(path, j);
            if (touches(np, r)) {
                b.setNode(j, node(g.getNode(j), np, r));
            }
        }
        return b.build();
    }

    private static NodeProto node(NodeProto n, String path,
            Map<String, org.sparsity4j.onnx.proto.OnnxSubset.TensorProto> r) {
        NodeProto.Builder b = n.toBuilder();
        for (int a = 0; a < n.getAttributeCount(); a++) {
            String ap = TensorPaths.attribute(path, a);
            if (!touches(ap, r)) {
                continue;
            }
            AttributeProto attr = n.getAttribute(a);
            AttributeProto.Builder ab = attr.toBuilder();
            var t = r.get(TensorPaths.attrTensor(ap));
            if (t != null) {
                ab.setT(t);
            }
            for (int c = 0; c < attr.getTensorsCount(); c++) {
                var tc = r.get(TensorPaths.attrTensors(ap, c));
                if (tc != null) {
                    ab.setTensors(c, tc);
                }
            }
            if (attr.hasG()) {
                ab.setG(graph(attr.getG(), TensorPaths.attrGraph(ap), r));
            }
            for (int c = 0; c < attr.getGraphsCount(); c++) {
                ab.setGraphs(c, graph(attr.getGraphs(c), TensorPaths.attrGraphs(ap, c), r));
            }
            b.setAttribute(a, ab.build());
        }
        return b.build();
    }
}
