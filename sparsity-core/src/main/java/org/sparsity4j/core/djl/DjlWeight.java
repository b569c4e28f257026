package org.sparsity4j.core.djl;

import ai.djl.nn.Parameter;

/**
 * A weight of a DJL block that pruning considers: its full parameter name (as
 * {@code Block.getParameters()} names it), the parameter, the layer type and the reduction axis.
 *
 * @param name full parameter name, for example {@code 01Linear_weight}
 * @param parameter the DJL parameter
 * @param layer simple class name of the owning block plus details such as groups
 * @param axis reduction axis of the weight
 * @param otherAxis output axis, used by tile masks (-1 when not a rank-2 weight)
 */
public record DjlWeight(String name, Parameter parameter, String layer, int axis, int otherAxis) {
}
