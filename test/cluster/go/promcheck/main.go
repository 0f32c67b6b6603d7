// promcheck: reads the Prometheus text exposition format on stdin, parses it with the parser
// Prometheus itself uses (github.com/prometheus/common/expfmt) and lints it with the linter behind
// `promtool check metrics` (client_golang's testutil/promlint), then prints what it read as JSON
// for the tests to assert on. Exit 1 (message on stderr) when the text does not parse.
//
// `promcheck promql` reads a JSON array of PromQL expressions instead and prints, for each, the
// metric names its selectors read or the error of Prometheus' own parser (promql/parser).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// num is a float64 that JSON can carry whole: ±Inf and NaN as the strings "+Inf", "-Inf", "NaN"
// (the exposition format's own spelling), since JSON numbers have none of them.
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

type bucket struct {
	UpperBound num    `json:"upperBound"`
	Count      uint64 `json:"count"`
}

type sample struct {
	Labels map[string]string `json:"labels"`
	// Counter, gauge or untyped value.
	Value   *num     `json:"value,omitempty"`
	Count   *uint64  `json:"count,omitempty"`
	Sum     *num     `json:"sum,omitempty"`
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

type query struct {
	Metrics []string `json:"metrics"`
	Error   string   `json:"error,omitempty"`
}

// checkPromQL parses each expression and names the metrics its vector selectors read (by name or
// by an equality matcher on __name__; "" for a selector without one).
func checkPromQL(text []byte) {
	var exprs []string
	if err := json.Unmarshal(text, &exprs); err != nil {
		fail(err)
	}
	p := parser.NewParser(parser.Options{})
	out := []query{}
	for _, e := range exprs {
		q := query{Metrics: []string{}}
		expr, err := p.ParseExpr(e)
		if err != nil {
			q.Error = err.Error()
		} else {
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				if vs, ok := node.(*parser.VectorSelector); ok {
					name := vs.Name
					for _, m := range vs.LabelMatchers {
						if name == "" && m.Name == labels.MetricName && m.Type == labels.MatchEqual {
							name = m.Value
						}
					}
					q.Metrics = append(q.Metrics, name)
				}
				return nil
			})
		}
		out = append(out, q)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func main() {
	// At most 16 MiB: the sleeper's exposition is a few KB per hundred environments.
	text, err := io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
	if err != nil {
		fail(err)
	}
	if len(os.Args) > 1 && os.Args[1] == "promql" {
		checkPromQL(text)
		return
	}
	textParser := expfmt.NewTextParser(model.LegacyValidation)
	parsed, err := textParser.TextToMetricFamilies(bytes.NewReader(text))
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
				s.Value = ptr(num(m.GetCounter().GetValue()))
			case dto.MetricType_GAUGE:
				s.Value = ptr(num(m.GetGauge().GetValue()))
			case dto.MetricType_UNTYPED:
				s.Value = ptr(num(m.GetUntyped().GetValue()))
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				s.Count = ptr(h.GetSampleCount())
				s.Sum = ptr(num(h.GetSampleSum()))
				for _, b := range h.GetBucket() {
					s.Buckets = append(s.Buckets, bucket{UpperBound: num(b.GetUpperBound()), Count: b.GetCumulativeCount()})
				}
			case dto.MetricType_SUMMARY:
				s.Count = ptr(m.GetSummary().GetSampleCount())
				s.Sum = ptr(num(m.GetSummary().GetSampleSum()))
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
