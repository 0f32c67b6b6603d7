// promcheck: reads the Prometheus text exposition format on stdin, parses it with the parser
// Prometheus itself uses (github.com/prometheus/common/expfmt) and lints it with the linter behind
// `promtool check metrics` (client_golang's testutil/promlint), then prints what it read as JSON
// for the tests to assert on. Exit 1 (message on stderr) when the text does not parse.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type bucket struct {
	UpperBound float64 `json:"upperBound"`
	Count      uint64  `json:"count"`
}

type sample struct {
	Labels map[string]string `json:"labels"`
	// Counter, gauge or untyped value.
	Value   *float64 `json:"value,omitempty"`
	Count   *uint64  `json:"count,omitempty"`
	Sum     *float64 `json:"sum,omitempty"`
	Buckets []bucket `json:"buckets,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Help    string   `json:"help"`
	Samples []sample `json:"samples"`
}

type problem struct {
	Metric string `json:"metric"`
	Text   string `json:"text"`
}

type output struct {
	Families []family  `json:"families"`
	Problems []problem `json:"problems"`
}

func main() {
	// At most 16 MiB: the sleeper's exposition is a few KB per hundred environments.
	text, err := io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
	if err != nil {
		fail(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	parsed, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		fail(err)
	}
	lint, err := promlint.New(bytes.NewReader(text)).Lint()
	if err != nil {
		fail(err)
	}
	out := output{Families: []family{}, Problems: []problem{}}
	for _, p := range lint {
		out.Problems = append(out.Problems, problem{Metric: p.Metric, Text: p.Text})
	}
	names := make([]string, 0, len(parsed))
	for name := range parsed {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		mf := parsed[name]
		f := family{Name: name, Type: mf.GetType().String(), Help: mf.GetHelp(), Samples: []sample{}}
		for _, m := range mf.GetMetric() {
			s := sample{Labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.Labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				s.Value = ptr(m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				s.Value = ptr(m.GetGauge().GetValue())
			case dto.MetricType_UNTYPED:
				s.Value = ptr(m.GetUntyped().GetValue())
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				s.Count = ptr(h.GetSampleCount())
				s.Sum = ptr(h.GetSampleSum())
				for _, b := range h.GetBucket() {
					s.Buckets = append(s.Buckets, bucket{UpperBound: b.GetUpperBound(), Count: b.GetCumulativeCount()})
				}
			case dto.MetricType_SUMMARY:
				s.Count = ptr(m.GetSummary().GetSampleCount())
				s.Sum = ptr(m.GetSummary().GetSampleSum())
			}
			f.Samples = append(f.Samples, s)
		}
		out.Families = append(out.Families, f)
	}
	encoder := json.NewEncoder(os.Stdout)
	if err := encoder.Encode(out); err != nil {
		fail(err)
	}
}

func ptr[T any](v T) *T { return &v }

func fail(err error) {
	fmt.Fprintf(os.Stderr, "promcheck: %v\n", err)
	os.Exit(1)
}
