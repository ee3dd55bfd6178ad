package web

import (
	"slices"
	"testing"
)

func TestSplitComma(t *testing.T) {
	tests := map[string][]string{
		"":                        nil,
		"循環器内科, 消化器内科":            {"循環器内科", "消化器内科"},
		"英語、中国語，韓国語":              {"英語", "中国語", "韓国語"},
		" 英語 \n\u3000中国語\u3000,,": {"英語", "中国語"},
	}
	for in, want := range tests {
		if got := splitComma(in); !slices.Equal(got, want) {
			t.Errorf("splitComma(%q) = %q, want %q", in, got, want)
		}
	}
}
