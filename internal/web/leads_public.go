package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
)

// publicSources are the ways a doctor can say they found the agency.
var publicSources = slices.DeleteFunc(slices.Clone(placement.Sources), func(s placement.Source) bool {
	return s == placement.SourceManual || s == placement.SourceInvitation
})

func contactPath(agencyID int64) string {
	return "/agencies/" + strconv.FormatInt(agencyID, 10) + "/contact"
}

// contactData is what the contact form shows: the agency, the hash of
// the purpose text shown, and the sources to pick from.
func contactData(a *placement.Agency) map[string]any {
	return map[string]any{"Agency": a, "PurposeHash": placement.PurposeHash(a.PurposeText), "Sources": publicSources}
}

// contactPage is an agency's public contact form, for anyone.
func (s *Server) contactPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Placement.PublicAgency(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"source": {string(placement.SourceWeb)}}
	if cur := httpx.CurrentFrom(r.Context()); cur != nil && cur.Has(identity.RoleDoctor) {
		form.Set("name", cur.User.DisplayName)
		form.Set("email", cur.User.Email)
	}
	s.render(w, r, http.StatusOK, "agency_contact", &page{Title: a.Name + "へのお問い合わせ", Form: form, Data: contactData(a)})
}

func (s *Server) submitContact(w http.ResponseWriter, r *http.Request) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	_, err = s.Placement.SubmitLead(r.Context(), s.actor(r), id, placement.LeadForm{
		Name: v.Get("name"), NameKana: v.Get("name_kana"), Email: v.Get("email"), Phone: v.Get("phone"),
		RegistrationNumber: v.Get("registration_number"), Source: placement.Source(v.Get("source")),
		SourceNote: v.Get("source_note"), Message: v.Get("message"), PurposeHash: v.Get("purpose_hash"),
		ConsentPurpose: v.Get("consent_purpose") == "1", ConsentHealth: v.Get("consent_health") == "1",
	})
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.RateLimited) {
			s.fail(w, r, err)
			return
		}
		// The purpose may have changed meanwhile: show the current text.
		a, aerr := s.Placement.PublicAgency(r.Context(), id)
		if aerr != nil {
			s.fail(w, r, aerr)
			return
		}
		s.formError(w, r, "agency_contact", &page{Title: a.Name + "へのお問い合わせ", Data: contactData(a)}, err)
		return
	}
	redirect(w, r, contactPath(id)+"/thanks")
}

func (s *Server) contactThanks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Placement.PublicAgency(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency_contact_thanks", &page{Title: "お問い合わせを受け付けました", Data: map[string]any{"Agency": a}})
}

func claimPath(token string) string { return "/leads/claim/" + url.PathEscape(token) }

// claimPage shows who invites the doctor to link their account, and the
// purpose of use they would consent to. Linking needs a doctor's account:
// a visitor who is not signed in is told to sign in or register first.
func (s *Server) claimPage(w http.ResponseWriter, r *http.Request) {
	s.renderClaim(w, r, http.StatusOK, &page{}, nil)
}

func (s *Server) renderClaim(w http.ResponseWriter, r *http.Request, status int, p *page, formErr error) {
	token := r.PathValue("token")
	info, err := s.Placement.Claim(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur := httpx.CurrentFrom(r.Context())
	data := map[string]any{"Agency": info.Agency, "Path": claimPath(token), "PurposeHash": placement.PurposeHash(info.Agency.PurposeText),
		"SignedIn": cur != nil, "Doctor": cur != nil && cur.Has(identity.RoleDoctor)}
	p.Title = "アカウント連携と同意"
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "lead_claim", p, formErr)
		return
	}
	s.render(w, r, status, "lead_claim", p)
}

func (s *Server) acceptClaim(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	if r.PostForm.Get("consent_purpose") != "1" {
		err = invalid(map[string]string{"consent_purpose": "利用目的を確認し、同意してください。"})
	} else {
		_, err = s.Placement.AcceptClaim(r.Context(), cur.Actor(), r.PathValue("token"), r.PostForm.Get("purpose_hash"),
			r.PostForm.Get("consent_health") == "1")
	}
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.renderClaim(w, r, 0, &page{}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "アカウントを連携し、同意を記録しました。同意はいつでもこの画面で撤回できます。")
	redirect(w, r, "/me/cases")
}
