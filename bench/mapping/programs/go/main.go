package main

import (
	"encoding/json"
	"os"
	"runtime/debug"
)

// The bench's Go program: prints JSON with the panic stacks it recovered and its log records.
func attempt(stacks *[]string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			*stacks = append(*stacks, "panic: "+r.(string)+"\n\n"+string(debug.Stack()))
		}
	}()
	fn()
}

func main() {
	c := &Carrier{Name: "ups", Rates: map[string]int{"eu": 3, "us": 5}}
	var stacks []string
	attempt(&stacks, func() { ship(c, []string{"eu", "us"}) })
	attempt(&stacks, func() { ship(c, []string{"eu", "mars"}) })
	attempt(&stacks, func() { c.Quote("moon", 1) })
	log.Errorf("shipping batch finished with %d failures", len(stacks))
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"stacks": stacks, "logs": records})
}
