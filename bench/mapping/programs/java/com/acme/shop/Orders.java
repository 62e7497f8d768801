package com.acme.shop;

import java.util.List;
import java.util.Map;

public class Orders {
    private final Map<String, Integer> stock;

    public Orders(Map<String, Integer> stock) {
        this.stock = stock;
    }

    public int reserve(String sku, int qty) {
        Integer left = stock.get(sku);
        if (left == null) {
            Log.warn("unknown sku {} requested", sku);
            throw new IllegalArgumentException("unknown sku " + sku);
        }
        if (left < qty) throw new IllegalStateException("only " + left + " of " + sku);
        stock.put(sku, left - qty);
        Log.info("reserved {} of {}", qty, sku);
        return left - qty;
    }

    public void place(String customer, List<String> skus) {
        Log.info("placing order for {} with {} lines", customer, skus.size());
        try {
            skus.forEach(s -> reserve(s, 2));
        } catch (RuntimeException e) {
            Log.error("order for {} failed", customer);
            throw new RuntimeException("order failed for " + customer, e);
        }
    }
}
