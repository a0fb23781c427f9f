// The deciders of Rotor's rollout domain: Decide(command, state) returns the
// events to append, or an error that says what was refused and why. Pure:
// no I/O, no clock (time arrives in the command), no mutation. A command that
// would change nothing (a repeat) returns an empty Decision. A refusal is an
// error and appends nothing; the command service records some refusals of
// lifecycle commands as CommandRefused (refusals.h).
//
// Error codes: kInvalidArgument (a malformed field), kNotFound (an unknown
// certificate, rollout, agent or gateway), kAlreadyExists (a duplicate that
// is not a repeat), kFailedPrecondition (an illegal transition for the
// current state). Thread-compatible.
#pragma once

#include "base/status.h"
#include "services/domain/commands.h"
#include "services/domain/decision.h"
#include "services/domain/state.h"

namespace rotor::domain {

// Dispatches to the overload for the command's type.
Result<Decision> Decide(const Command& command, const DomainState& state);

// Certificates (decide_certificates.cc).
// -> CertificateRegistered. Errors: kInvalidArgument (unspecified kind, bad
// fingerprint, a fingerprint that is not the SHA-256 of the DER, not_after
// before not_before); kAlreadyExists (already registered); kFailedPrecondition
// (already expired at `now`).
Result<Decision> Decide(const RegisterCertificate& c, const DomainState& state);

// Agent reports (decide_reports.cc).
// -> AgentInventoryReported (+ AgentStaleCleared when the agent was stale),
// or AgentReportRejected when the agent's CEM certificate is revoked or the
// report is dated after now + max_clock_skew (the reason names both times).
// A repeated report_id, or a report not newer than the agent's latest,
// appends nothing. Clock skew recovery: an agent's latest report that was
// dated more than max_clock_skew after the time it was recorded (accepted by
// an earlier version) is not trusted for ordering, so the agent's next report
// replaces it even when dated earlier; its event says so
// (supersedes_future_report). The events' actor is the command's actor.
// Errors: kInvalidArgument (empty ids or actor, bad fingerprints).
Result<Decision> Decide(const IngestAgentReport& c, const DomainState& state);

// Replacements (decide_replacements.cc).
// -> ReplacementInitiated (+ GatewayRefreshRequired after-initiate for each
// gateway without auto-refresh, when replacing the CEM root). Errors:
// kInvalidArgument (bad ids, mode, permille, min validity, old == new);
// kNotFound (a certificate not registered); kAlreadyExists (the rollout id is
// taken by a different rollout); kFailedPrecondition (kinds differ, a kind
// that is renewed rather than replaced, new certificate not valid long
// enough, old certificate already under an active replacement or retired).
Result<Decision> Decide(const InitiateReplacement& c, const DomainState& state);
// -> CertificateStaged. Errors: kNotFound; kFailedPrecondition (a direct or
// non-active replacement).
Result<Decision> Decide(const StageCertificate& c, const DomainState& state);
// -> BindingsSwitched. Errors: kNotFound; kFailedPrecondition (direct mode,
// not active, not staged yet, too few agents hold the staged certificate).
Result<Decision> Decide(const SwitchBindings& c, const DomainState& state);
// -> ReplacementFinalized (+ GatewayRefreshRequired after-finalize for the
// CEM root). Errors: kNotFound; kInvalidArgument (force without a reason);
// kFailedPrecondition (cancelled, bindings not switched in pre-staged mode,
// gateway refresh pending, new certificate not valid at `now`, agents
// outstanding without force).
Result<Decision> Decide(const FinalizeReplacement& c, const DomainState& state);
// -> ReplacementCancelled. Errors: kNotFound; kFailedPrecondition (finalized).
Result<Decision> Decide(const CancelReplacement& c, const DomainState& state);

// Gateways (decide_gateways.cc).
// -> GatewayAutoRefreshChanged. Errors: kInvalidArgument.
Result<Decision> Decide(const SetGatewayAutoRefresh& c, const DomainState& state);
// -> GatewayRefreshPerformed per satisfied step. Errors: kNotFound (gateway
// or rollout); kFailedPrecondition (the rollout never required a refresh of
// this gateway, or is cancelled).
Result<Decision> Decide(const RefreshGateway& c, const DomainState& state);

// Renewals (decide_renewals.cc).
// -> RenewalInitiated. Errors: kInvalidArgument; kNotFound (a listed agent);
// kAlreadyExists (rollout id taken); kFailedPrecondition (a listed agent is
// deleted, revoked or not cloud-enabled; no cloud-enabled agents).
Result<Decision> Decide(const RenewCemAgentCertificates& c, const DomainState& state);
// -> RenewalInitiated (+ GatewayRefreshRequired after-initiate when the
// gateway's auto-refresh is off). Errors: kInvalidArgument; kNotFound
// (gateway, certificate); kAlreadyExists; kFailedPrecondition (wrong kind,
// the gateway already has an active renewal).
Result<Decision> Decide(const RenewGatewayReportingCertificate& c, const DomainState& state);
// -> AgentCertificateRenewed. Errors: kInvalidArgument; kNotFound;
// kFailedPrecondition (not a CEM renewal, agent not targeted, revoked or
// deleted, certificate already expired).
Result<Decision> Decide(const RecordRenewedCertificate& c, const DomainState& state);

// Agents (decide_agents.cc).
// -> CertificateRevoked; a revoked agent appends nothing. Errors:
// kInvalidArgument (reason code 7, 8 or over 10); kNotFound (agent).
Result<Decision> Decide(const RevokeAgentCertificate& c, const DomainState& state);
// -> AgentFlaggedStale per agent. Errors: kInvalidArgument (threshold <= 0).
Result<Decision> Decide(const FlagStaleAgents& c, const DomainState& state);
// -> AgentResourceDeleted; a deleted agent appends nothing. Errors: kNotFound.
Result<Decision> Decide(const DeleteAgentResource& c, const DomainState& state);

}  // namespace rotor::domain
