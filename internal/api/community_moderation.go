package api

import (
	"net/http"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
)

// The board's moderation: reports, held posts, actions on posts and
// members, the log, the settings, and the companies with referral codes.
// Every action carries the reason the member sees.

func (s *Server) communityReports(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	status := community.ReportStatus(r.URL.Query().Get("status"))
	switch status {
	case "", community.ReportOpen, community.ReportResolved, community.ReportDismissed:
	default:
		return apperr.InvalidFields(map[string]string{"status": "open・resolved・dismissed のいずれかで指定してください。"})
	}
	list, err := s.Community.Reports(r.Context(), cur.Actor(), status)
	if err != nil {
		return err
	}
	out := make([]communityReportJSON, len(list))
	for i := range list {
		out[i] = toCommunityReportJSON(&list[i].Report)
		out[i].ReporterName = list[i].ReporterName
		p := toCommunityPostJSON(&list[i].Post)
		out[i].Post = &p
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}

func (s *Server) communityCloseReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status     community.ReportStatus `json:"status"`
		Resolution string                 `json:"resolution"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Status != community.ReportResolved && in.Status != community.ReportDismissed {
		return apperr.InvalidFields(map[string]string{"status": "resolved か dismissed で指定してください。"})
	}
	if err := s.Community.CloseReport(r.Context(), cur.Actor(), id, in.Status, in.Resolution); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityHeldPosts(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.HeldPosts(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"posts": toCommunityPostsJSON(list)})
}

var communityPostActions = map[string]community.ActionKind{
	"approve": community.ActApprovePost,
	"hide":    community.ActHide,
	"restore": community.ActRestore,
}

func (s *Server) communityModerate(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Action  string `json:"action"`
		Reason  string `json:"reason"`
		Private bool   `json:"private"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	kind, ok := communityPostActions[in.Action]
	if !ok {
		return apperr.InvalidFields(map[string]string{"action": "approve・hide・restore のいずれかで指定してください。"})
	}
	if err := s.Community.ModeratePost(r.Context(), cur.Actor(), id, community.Moderate{Kind: kind, Reason: in.Reason,
		Private: in.Private}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// communityRevealAuthor tells a moderator who wrote an anonymous post; the
// look-up is audited by the service.
func (s *Server) communityRevealAuthor(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	card, err := s.Community.RevealAuthor(r.Context(), cur.Actor(), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunityCardJSON(card))
}

var communitySanctions = map[string]community.ActionKind{
	"warn":    community.ActWarn,
	"silence": community.ActSilence,
	"suspend": community.ActSuspend,
	"ban":     community.ActBan,
	"lift":    community.ActLift,
}

type communitySanctionInput struct {
	Action string `json:"action"`
	Until  string `json:"until"`
	Reason string `json:"reason"`
	PostID int64  `json:"post_id"`
}

func decodeCommunitySanction(r *http.Request) (community.Sanction, error) {
	var in communitySanctionInput
	if err := decode(r, &in); err != nil {
		return community.Sanction{}, err
	}
	fields := map[string]string{}
	kind, ok := communitySanctions[in.Action]
	if !ok {
		fields["action"] = "warn・silence・suspend・ban・lift のいずれかで指定してください。"
	}
	until := parseTime(fields, "until", in.Until)
	if len(fields) > 0 {
		return community.Sanction{}, apperr.InvalidFields(fields)
	}
	return community.Sanction{Kind: kind, Until: until, Reason: in.Reason, PostID: in.PostID}, nil
}

// communitySanctionAuthor acts on a post's author without naming them to
// the moderator.
func (s *Server) communitySanctionAuthor(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := decodeCommunitySanction(r)
	if err != nil {
		return err
	}
	in.PostID = id
	if err := s.Community.SanctionAuthor(r.Context(), cur.Actor(), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communitySanctionMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := decodeCommunitySanction(r)
	if err != nil {
		return err
	}
	if err := s.Community.SanctionMember(r.Context(), cur.Actor(), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityModerationLog(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	list, err := s.Community.ModerationLog(r.Context(), cur.Actor(), int(min(limit, 500)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"actions": toCommunityActionsJSON(list)})
}

// communitySettings is the moderators' view of the settings; the rules
// alone are public at /community/rules.
func (s *Server) communitySettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	if !st.Moderator {
		return apperr.E(apperr.Forbidden, "掲示板の設定はモデレーターだけが見られます。")
	}
	return s.communityRules(w, r, cur)
}

func (s *Server) communitySaveSettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Rules          string `json:"rules"`
		HoldFirstPosts int    `json:"hold_first_posts"`
		Version        *int   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("設定")
	}
	st, err := s.Community.SaveSettings(r.Context(), cur.Actor(), community.Settings{Rules: in.Rules, HoldFirstPosts: in.HoldFirstPosts,
		Version: *in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunitySettingsJSON(st))
}

func (s *Server) communityCompanies(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.Companies(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := make([]communityReferralsJSON, len(list))
	for i := range list {
		out[i] = toCommunityReferralsJSON(&list[i], true)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"companies": out})
}

func (s *Server) communityCreateCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Name         string `json:"name"`
		Note         string `json:"note"`
		ReferralCode string `json:"referral_code"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Community.CreateCompany(r.Context(), cur.Actor(), community.CompanyInput(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityCompanyJSON(c))
}

// communityAddContact gives a company a contact account; a new account's
// temporary password is answered this once ("" when an existing account
// was linked).
func (s *Server) communityAddContact(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	pw, err := s.Community.AddContact(r.Context(), cur.Actor(), id, community.ContactInput(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"email": in.Email, "temporary_password": pw})
}

func (s *Server) communityDisableCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Disabled *bool `json:"disabled"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Disabled == nil {
		return apperr.InvalidFields(map[string]string{"disabled": "止めるか (true) 再開するか (false) を指定してください。"})
	}
	if err := s.Community.SetCompanyDisabled(r.Context(), cur.Actor(), id, *in.Disabled); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// communityMyCompany answers a company contact's own referral counts.
func (s *Server) communityMyCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	ref, err := s.Community.MyReferrals(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunityReferralsJSON(ref, false))
}
