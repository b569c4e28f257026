package org.sparsity4j.onnx.cli;

import java.util.List;
import org.sparsity4j.onnx.PruneReport;
import org.sparsity4j.onnx.TensorReport;

/**
 * Writes a {@link PruneReport} as JSON (hand-written: the format is small and fixed). The text is
 * ASCII: every character outside printable ASCII is written as a JSON unicode escape (a character
 * outside the Basic Multilingual Plane as its two UTF-16 surrogates), so it stays valid JSON whatever
 * encoding the output goes through.
 */
final class Json {
    private Json() {
    }

    static String of(PruneReport r, String command) {
        StringBuilder sb = new StringBuilder(256 + 256 * r.tensors().size());
        sb.append("{\n  \"command\": ").append(str(command));
        sb.append(",\n  \"input\": ").append(str(r.input()));
        sb.append(",\n  \"output\": ").append(r.output() == null ? "null" : str(r.output()));
        sb.append(",\n  \"pattern\": ").append(str(r.pattern()));
        sb.append(",\n  \"mask\": ").append(str(r.mask().name().toLowerCase(java.util.Locale.ROOT)));
        sb.append(",\n  \"summary\": {\"candidates\": ").append(r.tensors().size());
        for (org.sparsity4j.onnx.Action a : org.sparsity4j.onnx.Action.values()) {
            sb.append(", ").append(str(a.word())).append(": ").append(r.count(a));
        }
        sb.append(", \"prunedElements\": ").append(r.prunedElements()).append("}");
        sb.append(",\n  \"tensors\": [");
        for (int i = 0; i < r.tensors().size(); i++) {
            TensorReport t = r.tensors().get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(str(t.name()));
            sb.append(", \"path\": ").append(str(t.path()));
            sb.append(", \"source\": ").append(str(t.source()));
            sb.append(", \"consumers\": ").append(list(t.consumers()));
            sb.append(", \"dims\": [");
            for (int d = 0; d < t.dims().length; d++) {
                sb.append(d == 0 ? "" : ", ").append(t.dims()[d]);
            }
            sb.append("], \"dataType\": ").append(str(t.dataType()));
            sb.append(", \"storage\": ").append(str(t.storage()));
            sb.append(", \"axis\": ").append(t.axis());
            sb.append(", \"action\": ").append(str(t.action().word()));
            sb.append(", \"reason\": ").append(str(t.reason()));
            sb.append(", \"retainedMagnitude\": ")
                    .append(Double.isNaN(t.retainedMagnitude()) ? "null" : Double.toString(t.retainedMagnitude()));
            sb.append(", \"scoring\": ").append(str(t.scoring()));
            sb.append(", \"retainedScore\": ").append(num(t.retainedScore()));
            sb.append(", \"hints\": ").append(list(t.hints())).append("}");
        }
        sb.append(r.tensors().isEmpty() ? "]" : "\n  ]");
        org.sparsity4j.onnx.CalibrationReport c = r.calibration();
        if (c != null) {
            sb.append(",\n  \"calibration\": {\"source\": ").append(str(c.source()));
            sb.append(", \"samples\": ").append(c.samples());
            sb.append(", \"stages\": ").append(c.stages());
            sb.append(", \"seconds\": ").append(num(c.seconds()));
            sb.append(", \"sampleSeconds\": ").append(num(c.sampleSeconds()));
            sb.append(", \"samplesPerSecond\": ").append(num(c.samplesPerSecond()));
            sb.append(", \"consumers\": ").append(c.consumers());
            sb.append(", \"evaluationSamples\": ").append(c.evaluationSamples());
            sb.append(", \"fidelity\": [");
            for (int i = 0; i < c.fidelity().size(); i++) {
                org.sparsity4j.onnx.OutputFidelity f = c.fidelity().get(i);
                sb.append(i == 0 ? "" : ", ").append("{\"output\": ").append(str(f.name()));
                sb.append(", \"relativeError\": ").append(num(f.relativeError()));
                sb.append(", \"top1Agreement\": ").append(num(f.top1Agreement()));
                sb.append(", \"rows\": ").append(f.rows()).append('}');
            }
            sb.append("]}");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static String list(List<String> xs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(str(xs.get(i)));
        }
        return sb.append(']').toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c > 0x7E) {
                        // ASCII only: the JSON reads the same whatever encoding the output goes through
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
