package main

import (
	"fmt"
	"runtime"
)

// record is one log line and where it was logged from (the ground truth).
type record struct {
	Level   string `json:"level"`
	Message string `json:"message"`
	Where   string `json:"where"`
}

var records []record

type logger struct{}

var log logger

func (logger) emit(level, format string, args ...interface{}) {
	_, file, line, _ := runtime.Caller(2)
	records = append(records, record{level, fmt.Sprintf(format, args...), fmt.Sprintf("%s:%d", file, line)})
}

func (l logger) Infof(format string, args ...interface{})  { l.emit("info", format, args...) }
func (l logger) Warnf(format string, args ...interface{})  { l.emit("warn", format, args...) }
func (l logger) Errorf(format string, args ...interface{}) { l.emit("error", format, args...) }
