// Package policy decides who may do what to which object. It is pure: the
// caller loads the actor and the object, and Decide answers allow or deny
// with a reason. Every front end asks it; list queries filter with the same
// rules (see Scope).
package policy

import (
	"fmt"

	"github.com/hakui-dev/hakui/internal/identity"
)

// Action is what an actor wants to do.
type Action string

// Actions.
const (
	Read   Action = "read"
	List   Action = "list"
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Kind names a kind of object.
type Kind string

// Object kinds known to the policy.
const (
	KindUser         Kind = "user"          // a user's account and profile
	KindOrganisation Kind = "organisation"  // an organisation and its member list
	KindInvitation   Kind = "invitation"    // invitations of an organisation
	KindSession      Kind = "session"       // a sign-in session
	KindAPIToken     Kind = "api_token"     // a personal API token
	KindAuditLog     Kind = "audit_log"     // the whole audit log
	KindAuditSubject Kind = "audit_subject" // audit entries about one user
	KindCompetency   Kind = "competency"    // the competency vocabulary
	KindProfile      Kind = "profile"       // a doctor's profile
	KindOpening      Kind = "opening"       // a job opening; OrgID is the poster, PartnerOrgID the institution
	KindApplication  Kind = "application"   // a doctor's application; OrgID/PartnerOrgID from the opening
	KindSavedSearch  Kind = "saved_search"  // a doctor's saved search
	KindNotification Kind = "notification"  // an in-app notification
	KindAgency       Kind = "agency"        // an agency's pipeline settings; Public for its contact form
	KindLead         Kind = "lead"          // a doctor who reached an agency; OrgID the agency, OwnerID the linked doctor
	KindCase         Kind = "case"          // 紹介案件; OrgID the agency, PartnerOrgID the institution once introduced, OwnerID the doctor
	KindConsultation Kind = "consultation"  // 面談 and its confidential notes; OrgID the agency
	KindScorecard    Kind = "scorecard"     // interview feedback; OrgID the agency, PartnerOrgID the institution
	KindFollowUp     Kind = "follow_up"     // an agent's follow-up; OrgID the agency
	KindReport       Kind = "report"        // an organisation's pipeline reports
	KindWebhook      Kind = "webhook"       // an organisation's outgoing webhooks and their deliveries
	KindProgram      Kind = "program"       // a prefecture's キャリア形成プログラム and its medical areas; OrgID the prefecture
	KindEnrollment   Kind = "enrollment"    // a 地域枠 doctor's enrolment and ledger; OrgID the prefecture, PartnerOrgID the CC office, OwnerID the doctor
	KindPlan         Kind = "plan"          // a multi-year plan; as its enrolment
	KindRecord       Kind = "record"        // a confidential 面談記録; OrgID the writing organisation, OwnerID the doctor, SharedWith by agreement
	KindAgreement    Kind = "agreement"     // a sharing agreement between two organisations; OrgID the sharing one, PartnerOrgID the other
	KindRound        Kind = "round"         // an annual placement round; OrgID the prefecture
	KindMentoring    Kind = "mentoring"     // a mentor–mentee pair and its meeting logs; OrgID the CC office, OwnerID the mentee
	KindEvent        Kind = "event"         // a training session, its registrations, groups and materials; OrgID the organiser, Public once published
	KindSurvey       Kind = "survey"        // a survey and its responses and results; OrgID the organisation
)

// Actor is who acts: a signed-in user and their grants. The zero Actor is
// anonymous.
type Actor struct {
	UserID int64
	Grants []identity.Grant
}

// Anonymous reports whether the actor is not signed in.
func (a Actor) Anonymous() bool { return a.UserID == 0 }

// Has reports whether the actor holds the role anywhere.
func (a Actor) Has(role identity.Role) bool {
	for _, g := range a.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor is a platform administrator.
func (a Actor) IsAdmin() bool { return a.Has(identity.RoleAdmin) }

// MemberOf reports whether the actor holds any role in the organisation.
func (a Actor) MemberOf(orgID int64) bool {
	for _, g := range a.Grants {
		if orgID != 0 && g.OrgID == orgID {
			return true
		}
	}
	return false
}

// AdminOf reports whether the actor may manage the organisation's staff.
func (a Actor) AdminOf(orgID int64) bool {
	for _, g := range a.Grants {
		if orgID != 0 && g.OrgID == orgID && g.OrgAdmin {
			return true
		}
	}
	return false
}

// OrgIDs returns the organisations the actor belongs to.
func (a Actor) OrgIDs() []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, g := range a.Grants {
		if g.OrgID != 0 && !seen[g.OrgID] {
			seen[g.OrgID] = true
			ids = append(ids, g.OrgID)
		}
	}
	return ids
}

// Object is what the actor acts on. OwnerID is the user the object belongs
// to (0 if none); OrgID the organisation it belongs to (0 if none).
type Object struct {
	Kind    Kind
	ID      int64
	OwnerID int64
	OrgID   int64
	// PartnerOrgID is a second organisation with a stake in the object:
	// the institution an agent posted an opening for.
	PartnerOrgID int64
	// Public marks an object anyone may read (an open opening).
	Public bool
	// SharedWith are the roles of other organisations that a sharing
	// agreement lets read the object; the caller loads the agreements.
	SharedWith []OrgRole
}

// OrgRole is a role in an organisation.
type OrgRole struct {
	OrgID int64
	Role  identity.Role
}

// String names the object for logs and the audit trail.
func (o Object) String() string { return fmt.Sprintf("%s:%d", o.Kind, o.ID) }

// Decision is the answer of Decide. Reason says why, for the audit log.
type Decision struct {
	Allow  bool
	Reason string
}

func allow(reason string) Decision { return Decision{Allow: true, Reason: reason} }
func deny(reason string) Decision  { return Decision{Reason: reason} }

// Decide answers whether actor may do action on obj. Unknown kinds and
// actions are denied: a new object kind is closed until it has a rule.
func Decide(actor Actor, action Action, obj Object) Decision {
	if obj.Public && action == Read {
		return allow("public")
	}
	if actor.Anonymous() {
		return deny("not signed in")
	}
	switch obj.Kind {
	case KindUser:
		switch {
		case obj.ID == actor.UserID && (action == Read || action == Update):
			return allow("own account")
		case actor.IsAdmin() && (action == Read || action == Update || action == List):
			return allow("platform admin")
		}
		return deny("another user's account")
	case KindOrganisation:
		switch {
		case actor.IsAdmin():
			return allow("platform admin")
		case action == Read && actor.MemberOf(obj.ID):
			return allow("member of the organisation")
		case action == Update && actor.AdminOf(obj.ID):
			return allow("administrator of the organisation")
		}
		return deny("not a member of the organisation")
	case KindInvitation:
		switch {
		case actor.IsAdmin():
			return allow("platform admin")
		case actor.AdminOf(obj.OrgID) && (action == Create || action == List || action == Delete || action == Read):
			return allow("administrator of the organisation")
		}
		return deny("not an administrator of the organisation")
	case KindSession:
		switch {
		case obj.OwnerID == actor.UserID && (action == Read || action == List || action == Delete):
			return allow("own session")
		case actor.IsAdmin() && (action == Read || action == List || action == Delete):
			return allow("platform admin")
		}
		return deny("another user's session")
	case KindAPIToken:
		if obj.OwnerID == actor.UserID && (action == Read || action == List || action == Create || action == Delete) {
			return allow("own token")
		}
		return deny("another user's token")
	case KindAuditLog:
		if actor.IsAdmin() && (action == Read || action == List) {
			return allow("platform admin")
		}
		return deny("audit log is for administrators")
	case KindAuditSubject:
		switch {
		case obj.OwnerID == actor.UserID && (action == Read || action == List):
			return allow("entries about oneself")
		case actor.IsAdmin() && (action == Read || action == List):
			return allow("platform admin")
		}
		return deny("entries about another user")
	case KindCompetency:
		if action == Read || action == List {
			return allow("shared vocabulary")
		}
		if actor.IsAdmin() {
			return allow("platform admin")
		}
		return deny("the vocabulary is curated by administrators")
	case KindProfile:
		if obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor) && (action == Read || action == Update) {
			return allow("own profile")
		}
		if actor.IsAdmin() && (action == Read || action == Update) {
			return allow("platform admin")
		}
		return deny("another doctor's profile is shared only through an application or introduction")
	case KindOpening:
		return decideOpening(actor, action, obj)
	case KindApplication:
		switch {
		case action == Create && obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor):
			return allow("doctor applies")
		case obj.OwnerID == actor.UserID && (action == Read || action == Update):
			return allow("own application")
		case (action == Read || action == List) && (actor.MemberOf(obj.OrgID) || actor.MemberOf(obj.PartnerOrgID)):
			return allow("staff of the poster or the institution")
		}
		return deny("another doctor's application")
	case KindAgency, KindLead, KindCase, KindConsultation, KindScorecard, KindFollowUp, KindReport:
		return decidePlacement(actor, action, obj)
	case KindProgram, KindEnrollment, KindPlan:
		return decideRegional(actor, action, obj)
	case KindRecord, KindAgreement:
		return decideRecords(actor, action, obj)
	case KindRound:
		return decideRound(actor, action, obj)
	case KindMentoring:
		return decideMentoring(actor, action, obj)
	case KindEvent, KindSurvey:
		return decideEvent(actor, action, obj)
	case KindWebhook:
		if actor.AdminOf(obj.OrgID) {
			return allow("administrator of the organisation")
		}
		return deny("webhooks are managed by the organisation's administrators")
	case KindSavedSearch, KindNotification:
		if obj.OwnerID == actor.UserID {
			return allow("own " + string(obj.Kind))
		}
		return deny("another user's " + string(obj.Kind))
	}
	return deny("no rule for " + string(obj.Kind))
}

// decideOpening: institution staff post their own openings; agents post on
// an institution's behalf and own what they post; the institution sees
// and may close what an agent posted for it.
func decideOpening(actor Actor, action Action, obj Object) Decision {
	staffOf := func(org int64) bool {
		for _, g := range actor.Grants {
			if g.OrgID == org && org != 0 && (g.Role == identity.RoleInstitutionStaff || g.Role == identity.RoleAgent) {
				return true
			}
		}
		return false
	}
	switch action {
	case Create:
		if staffOf(obj.OrgID) {
			return allow("staff of the posting organisation")
		}
		return deny("not staff of the posting organisation")
	case Read, List:
		if staffOf(obj.OrgID) || staffOf(obj.PartnerOrgID) {
			return allow("staff of the poster or the institution")
		}
		return deny("an unpublished opening of another organisation")
	case Update:
		if staffOf(obj.OrgID) {
			return allow("staff of the posting organisation")
		}
		return deny("only the poster edits an opening")
	case Delete:
		if staffOf(obj.OrgID) || staffOf(obj.PartnerOrgID) {
			return allow("staff of the poster or the institution may close it")
		}
		return deny("not staff of the poster or the institution")
	}
	return deny("unknown action")
}

// holds reports whether the actor holds role in the organisation.
func (a Actor) holds(role identity.Role, org int64) bool {
	for _, g := range a.Grants {
		if org != 0 && g.OrgID == org && g.Role == role {
			return true
		}
	}
	return false
}

// decidePlacement: an agency's pipeline belongs to its agents. Platform
// administrators get no rule here: confidential career records are not
// theirs to read. The institution sees a case only once the doctor is
// introduced (the service sets PartnerOrgID then), and the doctor sees
// their own lead and cases but never the agents' notes.
func decidePlacement(actor Actor, action Action, obj Object) Decision {
	agent := actor.holds(identity.RoleAgent, obj.OrgID)
	institution := actor.holds(identity.RoleInstitutionStaff, obj.PartnerOrgID)
	own := obj.OwnerID != 0 && obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor)
	switch obj.Kind {
	case KindAgency:
		switch {
		case action == Update && actor.AdminOf(obj.OrgID) && agent:
			return allow("administrator of the agency")
		case (action == Read) && agent:
			return allow("agent of the agency")
		}
		return deny("not an agent of the agency")
	case KindLead:
		switch {
		case agent && action != Delete: // leads are anonymised by retention, never deleted by hand
			return allow("agent of the agency")
		case own && (action == Read || action == Update):
			return allow("own lead and consent")
		}
		return deny("another agency's lead")
	case KindCase:
		switch {
		case agent && action != Delete: // a case ends with an outcome and keeps its timeline
			return allow("agent of the agency")
		case institution && (action == Read || action == List || action == Update):
			return allow("institution the doctor was introduced to")
		case own && (action == Read || action == List || action == Update):
			return allow("own case")
		}
		return deny("not a party to the case")
	case KindConsultation, KindFollowUp, KindReport:
		if agent {
			return allow("agent of the agency")
		}
		return deny("the agency's confidential records")
	case KindScorecard:
		switch {
		case institution && (action == Create || action == Update || action == Read || action == List):
			return allow("institution that interviewed")
		case agent && (action == Read || action == List):
			return allow("agent of the agency")
		}
		return deny("not a party to the interview")
	}
	return deny("no rule for " + string(obj.Kind))
}
