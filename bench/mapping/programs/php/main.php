<?php
// The bench's PHP program: prints JSON with the stack traces it produced and its log records.
require_once __DIR__ . '/Coupons.php';

$c = new Coupons(['SAVE10' => 10]);
$stacks = [];
foreach (['SAVE10', 'BOGUS', 'NOPE'] as $code) {
    try {
        redeem($c, $code, 500);
    } catch (Exception $e) {
        $stacks[] = (string) $e;
    }
}
Log::info("redeemed with " . count($stacks) . " failures");
echo json_encode(['stacks' => $stacks, 'logs' => Log::$records]), "\n";
