package org.sparsity4j.core.training;

import java.util.Random;

/**
 * A seeded synthetic classification task shared by the framework tests: Gaussian inputs labelled by
 * the argmax of a fixed random two-layer tanh teacher network.
 *
 * @param x inputs, row-major [rows, FEATURES]
 * @param labels class index per row
 * @param rows number of rows
 */
public record SyntheticTask(float[] x, int[] labels, int rows) {
    /** Input width. */
    public static final int FEATURES = 32;
    /** Number of classes. */
    public static final int CLASSES = 4;
    private static final int TEACHER_HIDDEN = 24;

    /**
     * Draws a data set; the teacher is the same for every seed, the inputs depend on the seed.
     *
     * @param seed input seed
     * @param rows number of rows
     * @return the data
     */
    public static SyntheticTask generate(long seed, int rows) {
        Random teacherRng = new Random(12345);
        float[][] w1 = gaussian(teacherRng, TEACHER_HIDDEN, FEATURES);
        float[][] w2 = gaussian(teacherRng, CLASSES, TEACHER_HIDDEN);
        Random rng = new Random(seed);
        float[] x = new float[rows * FEATURES];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < FEATURES; f++) {
                x[r * FEATURES + f] = (float) rng.nextGaussian();
            }
            double[] h = new double[TEACHER_HIDDEN];
            for (int i = 0; i < TEACHER_HIDDEN; i++) {
                double s = 0;
                for (int f = 0; f < FEATURES; f++) {
                    s += w1[i][f] * x[r * FEATURES + f];
                }
                h[i] = Math.tanh(s / Math.sqrt(FEATURES));
            }
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double s = 0;
                for (int i = 0; i < TEACHER_HIDDEN; i++) {
                    s += w2[c][i] * h[i];
                }
                if (s > bestV) {
                    bestV = s;
                    best = c;
                }
            }
            y[r] = best;
        }
        return new SyntheticTask(x, y, rows);
    }

    /**
     * Rows [start, start + count) of the inputs.
     *
     * @param start first row
     * @param count rows
     * @return a copy
     */
    public float[] xRows(int start, int count) {
        float[] out = new float[count * FEATURES];
        System.arraycopy(x, start * FEATURES, out, 0, out.length);
        return out;
    }

    /**
     * Fraction of rows whose predicted class equals the label.
     *
     * @param predicted predicted class per row
     * @return accuracy in [0, 1]
     */
    public double accuracy(int[] predicted) {
        int correct = 0;
        for (int i = 0; i < rows; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return correct / (double) rows;
    }

    private static float[][] gaussian(Random rng, int rows, int cols) {
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        return w;
    }
}
