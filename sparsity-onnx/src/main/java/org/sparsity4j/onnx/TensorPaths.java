package org.sparsity4j.onnx;

/**
 * Structural paths naming every tensor of a model, for example {@code graph/initializer[3]} or
 * {@code graph/node[7]/attribute[0]/g/node[2]/attribute[0]/t}. Unlike tensor names, which
 * subgraphs may shadow and Constant tensors may lack, a path is unique and stable across a
 * parse/serialize round trip (repeated fields keep their order).
 */
final class TensorPaths {
    /** The main graph's path. */
    public static final String GRAPH = "graph";

    private TensorPaths() {
    }

    /**
     * Returns the path of an initializer.
     *
     * @param graph the graph's path
     * @param index the initializer's index
     * @return the path
     */
    public static String initializer(String graph, int index) {
        return graph + "/initializer[" + index + "]";
    }

    /**
     * Returns the path of a sparse initializer.
     *
     * @param graph the graph's path
     * @param index the sparse initializer's index
     * @return the path
     */
    public static String sparseInitializer(String graph, int index) {
        return graph + "/sparse_initializer[" + index + "]";
    }

    /**
     * Returns the path of a node.
     *
     * @param graph the graph's path
     * @param index the node's index
     * @return the path
     */
    public static String node(String graph, int index) {
        return graph + "/node[" + index + "]";
    }

    /**
     * Returns the path of a node attribute.
     *
     * @param node the node's path
     * @param index the attribute's index
     * @return the path
     */
    public static String attribute(String node, int index) {
        return node + "/attribute[" + index + "]";
    }

    /**
     * Returns the path of an attribute's tensor value {@code t}.
     *
     * @param attribute the attribute's path
     * @return the path
     */
    public static String attrTensor(String attribute) {
        return attribute + "/t";
    }

    /**
     * Returns the path of an attribute's graph value {@code g}.
     *
     * @param attribute the attribute's path
     * @return the path
     */
    public static String attrGraph(String attribute) {
        return attribute + "/g";
    }

    /**
     * Returns the path of one of an attribute's tensors.
     *
     * @param attribute the attribute's path
     * @param index the index in {@code tensors}
     * @return the path
     */
    public static String attrTensors(String attribute, int index) {
        return attribute + "/tensors[" + index + "]";
    }

    /**
     * Returns the path of one of an attribute's graphs.
     *
     * @param attribute the attribute's path
     * @param index the index in {@code graphs}
     * @return the path
     */
    public static String attrGraphs(String attribute, int index) {
        return attribute + "/graphs[" + index + "]";
    }
}
