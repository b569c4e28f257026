package org.sparsity4j.onnx;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/** Visits every tensor of a model's graphs (initializers and attribute tensors, subgraphs included) in model order. */
final class TensorWalker {
    /** Messages that hold no tensor at any depth: {@link #forEachElsewhere} does not walk into them. */
    private static final Set<String> NO_TENSORS = Set.of("ValueInfoProto", "TypeProto", "TensorShapeProto",
            "StringStringEntryProto", "OperatorSetIdProto", "TensorAnnotation");

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

    /**
     * Visits every tensor that {@link #forEach} does not: those of sparse tensors (sparse initializers
     * and attributes), of function bodies and of training information, found by walking every
     * message field of the model. Paths here name fields ({@code graph/sparse_initializer[0]/values})
     * and only describe where the tensor is.
     *
     * @param model the model
     * @param visitor receives (path, tensor)
     */
    public static void forEachElsewhere(ModelProto model, BiConsumer<String, TensorProto> visitor) {
        Set<TensorProto> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        forEach(model, (path, t) -> seen.add(t));
        walk(model, "", seen, visitor);
    }

    private static void walk(Message m, String path, Set<TensorProto> seen, BiConsumer<String, TensorProto> v) {
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE || NO_TENSORS.contains(f.getMessageType().getName())) {
                continue;
            }
            String name = (path.isEmpty() ? "" : path + "/") + f.getName();
            if (f.isRepeated()) {
                List<?> all = (List<?>) e.getValue();
                for (int i = 0; i < all.size(); i++) {
                    visit((Message) all.get(i), name + "[" + i + "]", seen, v);
                }
            } else {
                visit((Message) e.getValue(), name, seen, v);
            }
        }
    }

    private static void visit(Message m, String path, Set<TensorProto> seen, BiConsumer<String, TensorProto> v) {
        if (m instanceof TensorProto) {
            if (!seen.contains(m)) {
                v.accept(path, (TensorProto) m);
            }
            return; // a tensor holds no tensors
        }
        walk(m, path, seen, v);
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
