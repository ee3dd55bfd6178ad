package web

import (
	"net/http"

	"github.com/hakui-dev/hakui/internal/httpx"
)

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	list, err := s.Notifications.Notifications(r.Context(), cur.User.ID, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notifications", &page{Title: "お知らせ", Data: map[string]any{"Notifications": list}})
}

func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := s.Notifications.MarkNotificationsRead(r.Context(), cur.User.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/me/notifications")
}
