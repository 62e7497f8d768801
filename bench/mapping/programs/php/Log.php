<?php
// A logger that records, beside each message, where it was called from (the ground truth).
class Log {
    public static array $records = [];

    private static function emit(string $level, string $message): void {
        $at = debug_backtrace(DEBUG_BACKTRACE_IGNORE_ARGS, 2)[1];
        self::$records[] = ['level' => $level, 'message' => $message, 'where' => $at['file'] . ':' . $at['line']];
    }

    public static function info(string $m): void { self::emit('info', $m); }
    public static function warn(string $m): void { self::emit('warn', $m); }
    public static function error(string $m): void { self::emit('error', $m); }
}
