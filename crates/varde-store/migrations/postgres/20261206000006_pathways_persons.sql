-- The person a pathway belongs to (issue 15). Keep in step with the other engine's file.
--
-- A pathway's first event, `referral_received`, may name a person of its organisation's
-- register. The link is logged in the `pathway.events` chunk that carries the referral (body
-- member `persons`: row index → person id) and projected here, one row per pathway, in the same
-- transaction. Pathways imported without a person reference (NPR-style files) have no row.
CREATE TABLE pathways_persons (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    pathway_id TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    event_id BIGINT NOT NULL REFERENCES events(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (org_id, pathway_id)
);
CREATE INDEX pathways_persons_person ON pathways_persons(person_id);
