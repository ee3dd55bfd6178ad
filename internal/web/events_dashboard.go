package web

import (
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/survey"
)

// eventsCards adds the dashboard cards of events and surveys: the
// upcoming events the user registered for and, for each organisation
// the user belongs to, its events and its open surveys. A failure leaves
// the cards out: the dashboard must not fail because events did.
func (s *Server) eventsCards(r *http.Request, cur *httpx.Current, add func(title, body, href string)) {
	if s.Events == nil {
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	if mine, err := s.Events.MyRegistrations(ctx, actor); err != nil {
		s.Log.WarnContext(ctx, "dashboard: my registrations", "err", err)
	} else if len(mine) > 0 {
		m := mine[0]
		body := "次の研修会: " + m.EventTitle + "（" + events.When(m.StartsAt, m.EndsAt) + "、" + registrationStatusText(&m.Registration) + "）"
		if len(mine) > 1 {
			body += " ほか" + strconv.Itoa(len(mine)-1) + "件"
		}
		add("申し込んだ研修会", body, "/events")
	}
	for _, o := range memberOrgs(cur) {
		list, err := s.Events.Events(ctx, actor, events.EventFilter{OrgID: o.ID})
		if err != nil {
			s.Log.WarnContext(ctx, "dashboard: organisation events", "org", o.ID, "err", err)
			continue
		}
		drafts, published := 0, 0
		for _, e := range list {
			switch e.Status {
			case events.StatusDraft:
				drafts++
			case events.StatusPublished:
				published++
			}
		}
		if len(list) > 0 {
			add(o.Name+"の研修会", "公開中 "+strconv.Itoa(published)+"件、下書き "+strconv.Itoa(drafts)+"件。", orgEventsPath(o.ID))
		}
		if s.Surveys == nil {
			continue
		}
		surveys, err := s.Surveys.Surveys(ctx, actor, o.ID, 0)
		if err != nil {
			s.Log.WarnContext(ctx, "dashboard: organisation surveys", "org", o.ID, "err", err)
			continue
		}
		open := 0
		for _, sv := range surveys {
			if sv.Status == survey.StatusOpen {
				open++
			}
		}
		if len(surveys) > 0 {
			add(o.Name+"のアンケート", "回答受付中 "+strconv.Itoa(open)+"件（全"+strconv.Itoa(len(surveys))+"件）。", orgSurveysPath(o.ID))
		}
	}
}
