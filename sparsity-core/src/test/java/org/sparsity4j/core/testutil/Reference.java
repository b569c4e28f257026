package org.sparsity4j.core.testutil;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Slow, obviously-correct reference implementations written independently of the kernels:
 * groups are found through coordinates, and selection sorts.
 */
public final class Reference {
    private Reference() {
    }

    /** Returns the flat indices of every group of m along axis, each in axis order. */
    public static List<int[]> groups(Shape shape, int axis, int m) {
        List<int[]> out = new ArrayList<>();
        long[] dims = shape.dims();
        for (int i = 0; i < shape.size(); i++) {
            long[] c = shape.coordinates(i);
            if (c[axis] % m != 0) {
                continue;
            }
            int[] g = new int[m];
            for (int j = 0; j < m; j++) {
                long[] cj = c.clone();
                cj[axis] += j;
                g[j] = flat(dims, cj);
            }
            out.add(g);
        }
        return out;
    }

    /** Row-major flat index of coordinates. */
    public static int flat(long[] dims, long[] c) {
        long idx = 0;
        for (int a = 0; a < dims.length; a++) {
            idx = idx * dims[a] + c[a];
        }
        return (int) idx;
    }

    /** Reference strip mask: keep[i] for every element, by magnitude key (or score key), ties to lower index. */
    public static boolean[] stripKeep(Tensor t, Tensor scores, int axis, int n, int m) {
        boolean[] keep = new boolean[t.size()];
        for (int[] g : groups(t.shape(), axis, m)) {
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                order.add(j);
            }
            Tensor s = scores != null ? scores : t;
            order.sort(Comparator.<Integer>comparingInt(j -> -s.type().magnitudeKey(s.bits(g[j])))
                    .thenComparingInt(j -> j));
            for (int k = 0; k < n; k++) {
                keep[g[order.get(k)]] = true;
            }
        }
        return keep;
    }
}
