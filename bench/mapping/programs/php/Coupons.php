<?php
require_once __DIR__ . '/Log.php';

class Coupons {
    private array $codes;

    public function __construct(array $codes) {
        $this->codes = $codes;
    }

    public function discount(string $code, int $total): int {
        if (!isset($this->codes[$code])) {
            Log::warn("coupon $code is unknown");
            throw new InvalidArgumentException("unknown coupon $code");
        }
        Log::info(sprintf("coupon %s takes %d%% off %d", $code, $this->codes[$code], $total));
        return intdiv($total * (100 - $this->codes[$code]), 100);
    }
}

function redeem(Coupons $c, string $code, int $total): int {
    try {
        return $c->discount($code, $total);
    } catch (InvalidArgumentException $e) {
        Log::error("redeeming {$code} failed");
        throw new RuntimeException("cannot redeem $code", 0, $e);
    }
}
