package main

import "fmt"

type Carrier struct {
	Name  string
	Rates map[string]int
}

func (c *Carrier) Quote(zone string, kg int) int {
	rate, ok := c.Rates[zone]
	if !ok {
		log.Warnf("carrier %s has no rate for zone %s", c.Name, zone)
		panic(fmt.Sprintf("no rate for zone %s", zone))
	}
	log.Infof("quoted %d for %d kg to %s", rate*kg, kg, zone)
	return rate * kg
}

func ship(c *Carrier, zones []string) (total int) {
	for _, z := range zones {
		total += c.Quote(z, 2)
	}
	return total
}
