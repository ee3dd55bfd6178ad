package placement

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConsultationValidate(t *testing.T) {
	now := day("2026-04-01")
	health := Consent{ConsentedAt: &now, HealthConsentAt: &now}
	plain := Consent{ConsentedAt: &now}
	at := now.Add(10 * time.Hour)
	tests := []struct {
		name    string
		c       Consultation
		consent Consent
		fields  []string
	}{
		{"online", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: " https://zoom.us/j/123?pwd=x "}, plain, nil},
		{"in person", Consultation{Mode: ModeInPerson, ScheduledAt: at, Place: "弊社 会議室A", MeetingURL: "https://x.example"}, plain, nil},
		{"online needs a url", Consultation{Mode: ModeOnline, ScheduledAt: at}, plain, []string{"meeting_url"}},
		{"online needs https", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "http://zoom.us/j/1"}, plain, []string{"meeting_url"}},
		{"no javascript", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "javascript:alert(1)"}, plain, []string{"meeting_url"}},
		{"no user info", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "https://zoom.us@evil.example/"}, plain, []string{"meeting_url"}},
		{"relative url", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "https:///path"}, plain, []string{"meeting_url"}},
		{"in person needs a place", Consultation{Mode: ModeInPerson, ScheduledAt: at}, plain, []string{"place"}},
		{"no mode, no time", Consultation{}, plain, []string{"mode", "scheduled_at"}},
		{"health notes with consent", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "https://meet.example/a", HealthNotes: "腰痛あり"}, health, nil},
		{"health notes without consent", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "https://meet.example/a", HealthNotes: "腰痛あり"}, plain, []string{"health_notes"}},
		{"notes too long", Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: "https://meet.example/a", Notes: strings.Repeat("あ", MaxMeetingNotes+1)}, plain, []string{"notes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			if got := sortedKeys(c.Validate(tt.consent)); !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			if c.Mode == ModeInPerson && c.MeetingURL != "" {
				t.Errorf("an in-person meeting kept the URL %q", c.MeetingURL)
			}
		})
	}
	c := Consultation{Mode: ModeOnline, ScheduledAt: at, MeetingURL: " https://zoom.us/j/1 "}
	c.Validate(plain)
	if c.MeetingURL != "https://zoom.us/j/1" {
		t.Errorf("URL not trimmed: %q", c.MeetingURL)
	}
}

func TestInterviewValidate(t *testing.T) {
	start := day("2026-05-01").Add(14 * time.Hour)
	doctor := Participant{Name: "山田 太郎", Email: "Taro@Example.jp", Role: ParticipantDoctor}
	clinic := Participant{Name: "院長", Email: "director@clinic.example", Role: ParticipantInstitution}
	base := func() Interview {
		return Interview{StartsAt: start, EndsAt: start.Add(time.Hour), Mode: ModeInPerson, Place: "さくらクリニック",
			Participants: []Participant{doctor, clinic}}
	}
	tests := []struct {
		name   string
		change func(*Interview)
		fields []string
	}{
		{"valid", func(*Interview) {}, nil},
		{"online", func(iv *Interview) { iv.Mode, iv.MeetingURL = ModeOnline, "https://meet.example/x" }, nil},
		{"online without url", func(iv *Interview) { iv.Mode = ModeOnline }, []string{"meeting_url"}},
		{"no start", func(iv *Interview) { iv.StartsAt = time.Time{} }, []string{"starts_at"}},
		{"end before start", func(iv *Interview) { iv.EndsAt = start.Add(-time.Minute) }, []string{"ends_at"}},
		{"end equals start", func(iv *Interview) { iv.EndsAt = start }, []string{"ends_at"}},
		{"too long", func(iv *Interview) { iv.EndsAt = start.Add(MaxInterview + time.Minute) }, []string{"ends_at"}},
		{"no participants", func(iv *Interview) { iv.Participants = nil }, []string{"participants"}},
		{"bad e-mail", func(iv *Interview) { iv.Participants[1].Email = "院長@" }, []string{"participants"}},
		{"display name in e-mail", func(iv *Interview) { iv.Participants[1].Email = "院長 <d@clinic.example>" }, []string{"participants"}},
		{"non-ASCII e-mail", func(iv *Interview) { iv.Participants[1].Email = "院長@clinic.example" }, []string{"participants"}},
		{"duplicate e-mail", func(iv *Interview) { iv.Participants[1].Email = "taro@example.JP" }, []string{"participants"}},
		{"unknown role", func(iv *Interview) { iv.Participants[1].Role = "observer" }, []string{"participants"}},
		{"bad mode", func(iv *Interview) { iv.Mode = "phone" }, []string{"mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := base()
			tt.change(&iv)
			if got := sortedKeys(iv.Validate()); !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
	iv := base()
	iv.Validate()
	if iv.Participants[0].Email != "taro@example.jp" {
		t.Errorf("e-mail not normalised: %q", iv.Participants[0].Email)
	}
	iv = base()
	iv.Participants[0].Email, iv.Participants[1].Role = "bad", ""
	msg := iv.Validate()["participants"]
	if !strings.Contains(msg, "1人目") || !strings.Contains(msg, "2人目") {
		t.Errorf("participants message does not name both: %q", msg)
	}
}

func TestScorecardValidate(t *testing.T) {
	items := []CheckItem{{ID: 10}, {ID: 11}}
	tests := []struct {
		name   string
		s      Scorecard
		fields []string
	}{
		{"valid", Scorecard{Scores: map[int64]int{10: 5, 11: 1}, Overall: RecommendYes, Comment: "丁寧な説明でした"}, nil},
		{"not every item", Scorecard{Scores: map[int64]int{10: 3}, Overall: RecommendStrongNo}, nil},
		{"no scores", Scorecard{Overall: RecommendNo}, nil},
		{"score too high", Scorecard{Scores: map[int64]int{10: 6}, Overall: RecommendYes}, []string{"scores"}},
		{"score zero", Scorecard{Scores: map[int64]int{11: 0}, Overall: RecommendYes}, []string{"scores"}},
		{"another case's item", Scorecard{Scores: map[int64]int{99: 3}, Overall: RecommendYes}, []string{"scores"}},
		{"no overall", Scorecard{Scores: map[int64]int{10: 3}}, []string{"overall"}},
		{"comment too long", Scorecard{Overall: RecommendYes, Comment: strings.Repeat("あ", MaxNote+1)}, []string{"comment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			if got := sortedKeys(s.Validate(items)); !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestConclusionValidate(t *testing.T) {
	c := Conclusion{Verdict: VerdictProceed, Note: "  前向き  "}
	if f := c.Validate(); len(f) != 0 || c.Note != "前向き" {
		t.Errorf("Validate = %v, note %q", f, c.Note)
	}
	c = Conclusion{Verdict: "maybe", Note: strings.Repeat("a", MaxNote+1)}
	if got := sortedKeys(c.Validate()); !slices.Equal(got, []string{"note", "verdict"}) {
		t.Errorf("fields = %v", got)
	}
}
