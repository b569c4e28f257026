package org.sparsity4j.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ValueInfoProto;

/**
 * Finds the candidate weights of a model. Reads no tensor data except small integer tensors
 * (Reshape target shapes, DequantizeLinear zero points).
 */
final class WeightDiscovery {
    /** A named value in a scope: a stored tensor, or anything else (activations, inputs). */
    private static final class Value {
        final TensorProto tensor; // non-null for initializers and Constant outputs
        final String path;
        final String source;
        final String name;
        final List<Use> uses = new ArrayList<>();
        /**
         * Where this name is defined in its graph, when more than once (initializers, sparse
         * initializers, node outputs; a graph input followed by an initializer of its name is not
         * counted: that is how ONNX gives an input a default value). Shared by every value of that
         * name in the graph.
         */
        List<String> definitions = List.of();
        boolean graphInput;

        Value(String name, TensorProto tensor, String path, String source) {
            this.name = name;
            this.tensor = tensor;
            this.path = path;
            this.source = source;
        }
    }

    /** A node with its resolved inputs and defined outputs. */
    private static final class NodeInfo {
        final NodeProto node;
        final Value[] inputs;
        final String path;
        final boolean mainGraph;
        Value[] outputs = new Value[0];

        NodeInfo(NodeProto node, Value[] inputs, String path, boolean mainGraph) {
            this.node = node;
            this.inputs = inputs;
            this.path = path;
            this.mainGraph = mainGraph;
        }

        String label() {
            return node.getName().isEmpty() ? node.getOpType() : node.getOpType() + " '" + node.getName() + "'";
        }
    }

    /** One use of a value: an input of a node, or a graph output (node null). */
    private record Use(NodeInfo node, int index, String graphOutputOf) {
    }

    private static final class Scope {
        final Scope parent;
        final Map<String, Value> values = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        /**
         * Binds a name defined in this graph, at {@code where}; a name this graph already defines is
         * recorded as defined more than once on every value bound to it, unless it is a graph input
         * and {@code v} an initializer (its default value).
         */
        void define(String name, Value v, String where, boolean initializer) {
            Value old = values.put(name, v);
            if (old == null || (old.graphInput && initializer)) {
                v.definitions = new ArrayList<>(List.of(where));
                return;
            }
            v.definitions = old.definitions;
            v.definitions.add(where);
        }

        Value resolve(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Value v = s.values.get(name);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
    }

    private final Path baseDir;
    private final List<Value> weights = new ArrayList<>();

    private WeightDiscovery(Path baseDir) {
        this.baseDir = baseDir;
    }

    /**
     * Finds every stored tensor that reaches a MatMul B, Gemm B or Conv W input.
     *
     * @param model the model
     * @param baseDir the model's directory (for external integer tensors)
     * @return the candidates in model order
     * @throws IOException on I/O errors reading small integer tensors
     */
    public static List<Candidate> discover(ModelProto model, Path baseDir) throws IOException {
        WeightDiscovery d = new WeightDiscovery(baseDir);
        d.graph(model.getGraph(), TensorPaths.GRAPH, "main graph", null);
        List<Candidate> out = new ArrayList<>();
        for (Value w : d.weights) {
            Trace t = new Trace();
            if (w.definitions.size() > 1) {
                t.blockers.add("the name '" + w.name + "' is defined " + w.definitions.size() + " times in its graph ("
                        + String.join(", ", w.definitions) + "): the ONNX checker rejects such a model, and"
                        + " readers differ on which definition holds the weights");
            }
            long[] dims = new long[w.tensor.getDimsCount()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = w.tensor.getDims(i);
            }
            int[] map = new int[dims.length];
            for (int i = 0; i < map.length; i++) {
                map[i] = i;
            }
            d.trace(w, dims, map, List.of(), "", false, t, 0);
            if (!t.consumers.isEmpty()) {
                out.add(new Candidate(w.name, w.path, w.source, w.tensor, List.copyOf(t.consumers),
                        List.copyOf(t.blockers), t.quantized));
            }
        }
        return out;
    }

    private void graph(GraphProto g, String path, String label, Scope parent) throws IOException {
        Scope scope = new Scope(parent);
        for (int i = 0; i < g.getInputCount(); i++) {
            String n = g.getInput(i).getName();
            Value v = new Value(n, null, null, null);
            v.graphInput = true;
            scope.define(n, v, path + "/input[" + i + "]", false);
        }
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            Value v = new Value(t.getName(), t, TensorPaths.initializer(path, i),
                    parent == null ? "initializer" : "initializer of " + label);
            scope.define(t.getName(), v, v.path, true);
            weights.add(v);
        }
        for (int i = 0; i < g.getSparseInitializerCount(); i++) {
            String n = g.getSparseInitializer(i).getValues().getName();
            scope.define(n, new Value(n, null, null, null), TensorPaths.sparseInitializer(path, i), true);
        }
        for (int j = 0; j < g.getNodeCount(); j++) {
            NodeProto n = g.getNode(j);
            String np = TensorPaths.node(path, j);
            Value[] ins = new Value[n.getInputCount()];
            NodeInfo info = new NodeInfo(n, ins, np, parent == null);
            for (int k = 0; k < ins.length; k++) {
                String name = n.getInput(k);
                if (!name.isEmpty()) {
                    ins[k] = scope.resolve(name);
                    if (ins[k] != null) {
                        ins[k].uses.add(new Use(info, k, null));
                    }
                }
            }
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto attr = n.getAttribute(a);
                String ap = TensorPaths.attribute(np, a);
                String sub = info.label() + " " + attr.getName();
                if (attr.hasG()) {
                    graph(attr.getG(), TensorPaths.attrGraph(ap), sub, scope);
                }
                for (int b = 0; b < attr.getGraphsCount(); b++) {
                    graph(attr.getGraphs(b), TensorPaths.attrGraphs(ap, b), sub + "[" + b + "]", scope);
                }
            }
            Value[] outs = new Value[n.getOutputCount()];
            for (int k = 0; k < outs.length; k++) {
                String name = n.getOutput(k);
                if (k == 0 && isDefaultDomain(n) && n.getOpType().equals("Constant")) {
                    int a = attributeIndex(n, "value");
                    if (a >= 0 && n.getAttribute(a).hasT()) {
                        String tp = TensorPaths.attrTensor(TensorPaths.attribute(np, a));
                        outs[k] = new Value(name, n.getAttribute(a).getT(), tp,
                                "Constant" + (n.getName().isEmpty() ? "" : " '" + n.getName() + "'")
                                        + (parent == null ? "" : " in " + label));
                        weights.add(outs[k]);
                    }
                }
                if (outs[k] == null) {
                    outs[k] = new Value(name, null, null, null);
                }
                if (!name.isEmpty()) {
                    scope.define(name, outs[k], "output " + k + " of " + info.label() + " (" + np + ")", false);
                }
            }
            info.outputs = outs;
        }
        for (ValueInfoProto out : g.getOutputList()) {
            Value v = scope.resolve(out.getName());
            if (v != null) {
                v.uses.add(new Use(null, 0, label));
            }
        }
    }

    private static final class Trace {
        final List<ConsumerUse> consumers = new ArrayList<>();
        final Set<String> blockers = new LinkedHashSet<>();
        boolean quantized;
    }

    private void trace(Value v, long[] dims, int[] map, List<ViewStep> steps, String via, boolean dq, Trace t,
            int depth)
            throws IOException {
        if (depth > 64) {
            t.blockers.add("weight path longer than 64 ops");
            return;
        }
        for (Use u : v.uses) {
            if (u.node == null) {
                t.blockers.add("is an output of the " + u.graphOutputOf);
                continue;
            }
            NodeInfo n = u.node;
            NodeProto node = n.node;
            String op = isDefaultDomain(node) ? node.getOpType() : node.getDomain() + "." + node.getOpType();
            int idx = u.index;
            String nextVia = via.isEmpty() ? op : via + " > " + op;
            switch (op) {
                case "Shape":
                case "Size":
                    break;
                case "Identity":
                case "Cast":
                    if (idx == 0) {
                        trace(n.outputs[0], dims, map, steps, nextVia, dq, t, depth + 1);
                    } else {
                        t.blockers.add("also used as input " + idx + " of " + n.label());
                    }
                    break;
                case "Transpose":
                    if (idx == 0) {
                        transpose(n, dims, map, steps, nextVia, dq, t, depth);
                    } else {
                        t.blockers.add("also used as input " + idx + " of " + n.label());
                    }
                    break;
                case "Reshape":
                    if (idx == 0) {
                        reshape(n, dims, map, steps, nextVia, dq, t, depth);
                    } else {
                        t.blockers.add("also used as the shape of " + n.label());
                    }
                    break;
                case "DequantizeLinear":
                    if (idx == 0) {
                        t.quantized = true;
                        checkZeroPoint(n, t);
                        trace(n.outputs[0], dims, map, steps, nextVia, true, t, depth + 1);
                    } else {
                        t.blockers.add("also used as input " + idx + " (scale or zero point) of " + n.label());
                    }
                    break;
                case "MatMul":
                case "Gemm":
                case "Conv":
                    if (idx == 1) {
                        terminal(n, op, dims, map, steps, via, t);
                    } else {
                        t.blockers.add("also used as input " + idx + " of " + n.label()
                                + " (only the weight input can be sparse)");
                    }
                    break;
                default:
                    t.blockers.add("also used by " + n.label() + " (input " + idx + "), which has no sparse kernels");
            }
        }
    }

    private void transpose(NodeInfo n, long[] dims, int[] map, List<ViewStep> steps, String via, boolean dq,
            Trace t, int depth)
            throws IOException {
        if (dims == null) {
            trace(n.outputs[0], null, null, steps, via, dq, t, depth + 1);
            return;
        }
        int r = dims.length;
        int[] perm = new int[r];
        int a = attributeIndex(n.node, "perm");
        if (a >= 0) {
            List<Long> p = n.node.getAttribute(a).getIntsList();
            if (p.size() != r) {
                t.blockers.add(n.label() + " has a perm of length " + p.size() + " for a rank-" + r + " tensor");
                return;
            }
            boolean[] seen = new boolean[r];
            for (int i = 0; i < r; i++) {
                long x = p.get(i);
                if (x < 0 || x >= r || seen[(int) x]) {
                    t.blockers.add(n.label() + " has an invalid perm " + p);
                    return;
                }
                seen[(int) x] = true;
                perm[i] = (int) x;
            }
        } else {
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        long[] nd = new long[r];
        int[] nm = new int[r];
        for (int i = 0; i < r; i++) {
            nd[i] = dims[perm[i]];
            nm[i] = map[perm[i]];
        }
        List<ViewStep> ns = new ArrayList<>(steps);
        ns.add(new ViewStep(dims.clone(), perm));
        trace(n.outputs[0], nd, nm, List.copyOf(ns), via, dq, t, depth + 1);
    }

    private void reshape(NodeInfo n, long[] dims, int[] map, List<ViewStep> steps, String via, boolean dq,
            Trace t, int depth)
            throws IOException {
        long[] target = null;
        if (dims != null && n.inputs.length > 1 && n.inputs[1] != null && n.inputs[1].tensor != null) {
            long[] spec = TensorData.integers(n.inputs[1].tensor, n.inputs[1].name, baseDir);
            if (spec != null) {
                int az = attributeIndex(n.node, "allowzero");
                boolean allowZero = az >= 0 && n.node.getAttribute(az).getI() != 0;
                target = resolveReshape(dims, spec, allowZero);
            }
        }
        if (target == null) {
            // Unknown result shape: keep tracing to find other uses, but axes are lost.
            trace(n.outputs[0], null, null, steps, via + "(non-constant shape)", dq, t, depth + 1);
            return;
        }
        int[] nm = new int[target.length];
        for (int a = 0; a < target.length; a++) {
            nm[a] = -1;
            long innerOut = inner(target, a);
            for (int b = 0; b < dims.length; b++) {
                if (dims[b] == target[a] && inner(dims, b) == innerOut) {
                    nm[a] = map[b];
                    break;
                }
            }
        }
        trace(n.outputs[0], target, nm, steps, via, dq, t, depth + 1);
    }

    private static long inner(long[] dims, int axis) {
        long p = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** Applies ONNX Reshape semantics (0 copies, -1 infers); null if inconsistent. */
    static long[] resolveReshape(long[] in, long[] spec, boolean allowZero) {
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        long[] out = new long[spec.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < spec.length; i++) {
            long s = spec[i];
            if (s == 0 && !allowZero) {
                if (i >= in.length) {
                    return null;
                }
                s = in[i];
            }
            if (s == -1) {
                if (infer >= 0) {
                    return null;
                }
                infer = i;
                continue;
            }
            if (s < 0) {
                return null;
            }
            out[i] = s;
            known *= s;
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                return null;
            }
            out[infer] = total / known;
        } else if (known != total) {
            return null;
        }
        return out;
    }

    private void checkZeroPoint(NodeInfo n, Trace t) throws IOException {
        if (n.inputs.length < 3 || n.node.getInput(2).isEmpty()) {
            return;
        }
        Value zp = n.inputs[2];
        if (zp == null || zp.tensor == null) {
            t.blockers.add("the zero point of " + n.label() + " is not a constant, so pruned zeros may not"
                    + " dequantize to 0");
            return;
        }
        Boolean zero = TensorData.allZero(zp.tensor, zp.name, baseDir);
        if (zero == null) {
            t.blockers.add("the zero point of " + n.label() + " cannot be read");
        } else if (!zero) {
            t.blockers.add(n.label() + " has a non-zero zero point: the quantized value 0 is not the real 0");
        }
    }

    private static void terminal(NodeInfo n, String op, long[] dims, int[] map, List<ViewStep> steps, String via,
            Trace t) {
        String name = n.node.getName();
        if (dims == null) {
            t.consumers.add(new ConsumerUse(op, name, -1, -1, -1, -1, via, n.node, n.path, n.mainGraph, null,
                    steps));
            t.blockers.add("the axis " + n.label() + " reduces over cannot be traced back (" + via + ")");
            return;
        }
        int r = dims.length;
        int k;
        int o;
        switch (op) {
            case "MatMul":
                if (r < 2) {
                    blocked(t, n, op, name, steps, via, n.label() + " uses it as a vector");
                    return;
                }
                k = r - 2;
                o = r - 1;
                break;
            case "Gemm": {
                if (r != 2) {
                    blocked(t, n, op, name, steps, via, n.label() + " has a rank-" + r + " B input");
                    return;
                }
                int a = attributeIndex(n.node, "transB");
                boolean trans = a >= 0 && n.node.getAttribute(a).getI() != 0;
                k = trans ? 1 : 0;
                o = trans ? 0 : 1;
                break;
            }
            default: { // Conv
                if (r < 3) {
                    blocked(t, n, op, name, steps, via, n.label() + " has a rank-" + r + " weight");
                    return;
                }
                int a = attributeIndex(n.node, "group");
                long group = a >= 0 ? n.node.getAttribute(a).getI() : 1;
                if (group != 1) {
                    blocked(t, n, op, name, steps, via, (group == dims[0] ? "depthwise" : "grouped") + " convolution "
                            + n.label() + " (group=" + group + "): TensorRT has no sparse kernels for it");
                    return;
                }
                k = 1;
                o = 0;
            }
        }
        int sk = map[k];
        int so = map[o];
        t.consumers.add(new ConsumerUse(op, name, sk, so, dims[k], dims[o], via, n.node, n.path, n.mainGraph,
                dims.clone(), steps));
        if (sk < 0) {
            t.blockers.add("the axis " + n.label() + " reduces over cannot be traced back through " + via);
        }
    }

    private static void blocked(Trace t, NodeInfo n, String op, String name, List<ViewStep> steps, String via,
            String reason) {
        t.consumers.add(new ConsumerUse(op, name, -1, -1, -1, -1, via, n.node, n.path, n.mainGraph, null, steps));
        t.blockers.add(reason);
    }

    private static boolean isDefaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private static int attributeIndex(NodeProto n, String name) {
        for (int a = 0; a < n.getAttributeCount(); a++) {
            if (n.getAttribute(a).getName().equals(name)) {
                return a;
            }
        }
        return -1;
    }
}
