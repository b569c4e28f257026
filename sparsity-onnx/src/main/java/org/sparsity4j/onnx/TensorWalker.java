package org.sparsity4j.onnx;

import java.util.function.BiConsumer;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/** Visits every tensor of a model's graphs (initializers and attribute tensors, subgraphs included) in model order. */
final class TensorWalker {
    private TensorWalker() {
    }

    /**
     * Visits every tensor with its {@link TensorPaths path}.
     *
     * @param model the model
     * @param visitor receives (path, tensor)
     */
    public static void forEach(ModelProto model, BiConsumer<String, TensorProto> visitor) {
        graph(model.getGraph(), TensorPaths.GRAPH, visitor);
    }

    private static void graph(GraphProto g, String path, BiConsumer<String, TensorProto> v) {
        for (int i = 0; i < g.getInitializerCount(); i++) {
            v.accept(TensorPaths.initializer(path, i), g.getInitializer(i));
        }
        for (int j = 0; j < g.getNodeCount(); j++) {
            NodeProto n = g.getNode(j);
            String np = TensorPaths.node(path, j);
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto attr = n.getAttribute(a);
                String ap = TensorPaths.attribute(np, a);
                if (attr.hasT()) {
                    v.accept(TensorPaths.attrTensor(ap), attr.getT());
                }
                for (int c = 0; c < attr.getTensorsCount(); c++) {
                    v.accept(TensorPaths.attrTensors(ap, c), attr.getTensors(c));
                }
                if (attr.hasG()) {
                    graph(attr.getG(), TensorPaths.attrGraph(ap), v);
                }
                for (int c = 0; c < attr.getGraphsCount(); c++) {
                    graph(attr.getGraphs(c), TensorPaths.attrGraphs(ap, c), v);
                }
            }
        }
    }
}
