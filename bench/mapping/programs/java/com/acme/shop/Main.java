package com.acme.shop;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The bench's Java program: prints JSON with the stack traces it produced and its log records. */
public class Main {
    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "") + "\"";
    }

    public static void main(String[] args) {
        Map<String, Integer> stock = new HashMap<>(Map.of("apple", 5, "bread", 1));
        Orders orders = new Orders(stock);
        List<String> stacks = new ArrayList<>();
        List<List<String>> baskets = List.of(List.of("apple"), List.of("bread"), List.of("apple", "pear"));
        for (List<String> basket : baskets) {
            try {
                orders.place("c" + stacks.size(), basket);
            } catch (RuntimeException e) {
                StringWriter w = new StringWriter();
                e.printStackTrace(new PrintWriter(w));
                stacks.add(w.toString());
            }
        }
        StringBuilder out = new StringBuilder("{\"stacks\":[");
        for (int i = 0; i < stacks.size(); i++) out.append(i > 0 ? "," : "").append(json(stacks.get(i)));
        out.append("],\"logs\":[");
        for (int i = 0; i < Log.RECORDS.size(); i++) {
            String[] r = Log.RECORDS.get(i);
            out.append(i > 0 ? "," : "").append("{\"level\":").append(json(r[0])).append(",\"message\":").append(json(r[1])).append(",\"where\":").append(json(r[2])).append("}");
        }
        System.out.println(out.append("]}"));
    }
}
