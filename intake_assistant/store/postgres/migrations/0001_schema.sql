-- intake-assistant, schema version 1: dossiers, their rows, leases, agents, per-year numbers,
-- search indexes, and the three group roles with their grants and row-level security.
-- Placeholders @accueil@, @travailleur_social@, @responsable@ are the quoted group role names
-- (<database>_<role>); they are filled in by the migration runner.

CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- trusted extension: the database owner may create it

CREATE SCHEMA intake;
REVOKE ALL ON SCHEMA intake FROM PUBLIC;

CREATE TABLE intake.schema_version (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user
);

-- Store-wide settings, e.g. which answers are reception-level (the phone intake's questions).
CREATE TABLE intake.settings (
    key   text PRIMARY KEY,
    value json NOT NULL
);
INSERT INTO intake.settings VALUES
    ('reception_fields',
     '["nom", "prenom", "date_naissance", "telephone", "email", "commune_residence"]');

-- One row per dossier: the metadata, the reception-level answers and the index columns.
CREATE TABLE intake.dossiers (
    id              text PRIMARY KEY CHECK (id ~ '^D-[0-9]{4}-[0-9]{6}$'),
    rev             integer NOT NULL CHECK (rev >= 1),
    created_at      text NOT NULL,
    updated_at      text NOT NULL,
    created_by      text,
    agent           text,
    status          text NOT NULL,
    status_history  json NOT NULL,
    questionnaires  json NOT NULL,
    answers         json NOT NULL,
    unknown         json NOT NULL,
    commission      json,
    -- index columns (what `list` shows and filters on), kept by the backend
    nom             text,
    prenom          text,
    telephone       text,
    commune         text,
    type_projet     text,
    montant_demande numeric,
    last_contact    date NOT NULL,
    search_text     text NOT NULL,   -- normalize(nom prenom id): accents, case, punctuation gone
    search_compact  text NOT NULL,   -- the same without spaces (ids and numbers typed as digits)
    search_digits   text NOT NULL    -- the phone's digits, +33 read as 0
);
CREATE INDEX dossiers_updated ON intake.dossiers (updated_at DESC, id DESC);
CREATE INDEX dossiers_status ON intake.dossiers (status);
CREATE INDEX dossiers_last_contact ON intake.dossiers (last_contact);
CREATE INDEX dossiers_created ON intake.dossiers (created_at);
CREATE INDEX dossiers_search_text ON intake.dossiers USING gin (search_text gin_trgm_ops);
CREATE INDEX dossiers_search_compact ON intake.dossiers USING gin (search_compact gin_trgm_ops);
CREATE INDEX dossiers_search_digits ON intake.dossiers USING gin (search_digits gin_trgm_ops);

-- What only social workers (and, read-only, the unit's lead) may see: the answers that are not
-- reception-level (the full evaluation) and the free fields (evaluation_sociale...). The list of
-- answers "à compléter" stays in intake.dossiers: ids only, no value.
CREATE TABLE intake.dossier_private (
    dossier_id text PRIMARY KEY REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    answers    json NOT NULL,
    fields     json NOT NULL
);

-- The dossier's row tables (events, audit, rencontres, notes, acces...), one row each.
CREATE TABLE intake.dossier_rows (
    dossier_id text NOT NULL REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    tbl        text NOT NULL,
    n          bigint GENERATED ALWAYS AS IDENTITY,  -- insertion order
    private    boolean NOT NULL DEFAULT false,
    body       json NOT NULL,
    PRIMARY KEY (dossier_id, tbl, n)
);

-- A dossier open for editing: who, on which computer, until when (renewed by a heartbeat).
CREATE TABLE intake.leases (
    dossier_id    text PRIMARY KEY REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    token         text NOT NULL,
    agent         text NOT NULL,
    host          text NOT NULL,
    login         text NOT NULL DEFAULT current_user,
    since         timestamptz NOT NULL,
    renewed       timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    backend_pid   integer NOT NULL  -- the holder's server process: gone when its client dies
);

-- A lease holds while it is renewed and its holder's connection is alive: a killed client's
-- lease ends as soon as the server sees the connection drop, and at the latest when it expires.
CREATE FUNCTION intake.lease_is_live(expires_at timestamptz, backend_pid integer) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT expires_at > now()
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = backend_pid)
    $$;

-- Store-wide records (agents, commission sessions...), by kind and id, with a revision. A record
-- attached to a dossier is erased with it (access log entries...). The agents are the records of
-- kind 'agents' (doc: name, role, active), keyed by the login they connect with.
CREATE TABLE intake.records (
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    id         text NOT NULL CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$'),
    rev        integer NOT NULL CHECK (rev >= 1),
    updated_at text NOT NULL,
    dossier_id text REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    doc        json NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX records_dossier ON intake.records (dossier_id) WHERE dossier_id IS NOT NULL;

-- An interview in progress on a dossier (who, where, since): resumed after a crash.
CREATE TABLE intake.interviews (
    dossier_id    text PRIMARY KEY REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    questionnaire text NOT NULL,
    agent         text NOT NULL,
    host          text NOT NULL,
    since         text NOT NULL,
    login         text NOT NULL DEFAULT current_user
);
-- Text typed but not sent yet: readable by its author only (it may be an evaluation answer).
CREATE TABLE intake.drafts (
    dossier_id text PRIMARY KEY REFERENCES intake.dossiers (id) ON DELETE CASCADE,
    draft      json NOT NULL,
    login      text NOT NULL DEFAULT current_user
);

-- The root field of an answer path: "enfants[1].age" -> "enfants".
CREATE FUNCTION intake.field_root(path text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT substring(path FROM '^[^.\[]*') $$;

-- Which dossier rows only social workers may read: answers outside the reception-level fields
-- (their events and audit rows), free-field audit rows, and the notes social workers write.
CREATE FUNCTION intake.row_is_private(tbl text, body json) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, intake
    AS $$
    SELECT CASE
        WHEN tbl IN ('events', 'audit') THEN
            CASE
                WHEN tbl = 'audit' AND (body ->> 'field') = 'true' THEN
                    coalesce(body ->> 'id', '') <> 'agent'
                WHEN body ->> 'id' IS NULL THEN false
                ELSE NOT EXISTS (
                    SELECT 1 FROM json_array_elements_text(
                        (SELECT value FROM intake.settings WHERE key = 'reception_fields')) f
                    WHERE f = intake.field_root(body ->> 'id'))
            END
        WHEN tbl = 'notes' THEN EXISTS (
            SELECT 1 FROM intake.records a
            WHERE a.kind = 'agents' AND a.id = body ->> 'agent'
              AND a.doc ->> 'role' = 'travailleur_social')
        ELSE false
    END
    $$;

CREATE FUNCTION intake.set_row_privacy() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, intake
    AS $$
    BEGIN
        NEW.private := intake.row_is_private(NEW.tbl, NEW.body);
        RETURN NEW;
    END
    $$;
CREATE TRIGGER dossier_rows_privacy BEFORE INSERT OR UPDATE OF body, tbl ON intake.dossier_rows
    FOR EACH ROW EXECUTE FUNCTION intake.set_row_privacy();

-- Dossier numbers: one sequence per year (D-2026-000001...), created on first use. Numbers are
-- never handed out twice; a rolled-back creation may skip one.
CREATE FUNCTION intake.next_dossier_number(year integer) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, intake
    AS $$
    DECLARE
        seq text := format('intake.dossier_seq_%s', year);
    BEGIN
        IF year < 1900 OR year > 9999 THEN
            RAISE EXCEPTION 'année de dossier invalide : %', year;
        END IF;
        IF to_regclass(seq) IS NULL THEN
            PERFORM pg_advisory_xact_lock(742001, year);
            IF to_regclass(seq) IS NULL THEN
                EXECUTE format('CREATE SEQUENCE %s MAXVALUE 999999', seq);
            END IF;
        END IF;
        RETURN nextval(seq);
    END
    $$;

-- After copying dossiers with their own numbers: the year's sequence continues after them.
CREATE FUNCTION intake.reserve_dossier_numbers(year integer, last_used bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, intake
    AS $$
    DECLARE
        seq text := format('intake.dossier_seq_%s', year);
        current bigint;
    BEGIN
        PERFORM intake.next_dossier_number(year);  -- creates the sequence when missing
        EXECUTE format('SELECT last_value FROM %s', seq) INTO current;
        IF current < last_used THEN
            PERFORM setval(seq, last_used);
        END IF;
    END
    $$;

-- Whether the connected role belongs to a group role (for the application's own checks).
CREATE FUNCTION intake.current_groups() RETURNS text[]
    LANGUAGE sql STABLE
    AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN pg_has_role(current_user, '@accueil_name@', 'MEMBER') THEN 'accueil' END,
        CASE WHEN pg_has_role(current_user, '@travailleur_social_name@', 'MEMBER')
             THEN 'travailleur_social' END,
        CASE WHEN pg_has_role(current_user, '@responsable_name@', 'MEMBER')
             THEN 'responsable' END], NULL)
    $$;

-- ---------------------------------------------------------------------------------------------
-- Who may do what, in the database itself (the application checks the same rules first).
--   reception: identity, contact, the phone intake, appointments; no private table, no private row
--   social workers: everything on dossiers
--   unit lead (responsable): reads what the commission needs (not the social workers' notes),
--     records decisions, purges, manages agents
GRANT USAGE ON SCHEMA intake TO @accueil@, @travailleur_social@, @responsable@;
GRANT SELECT ON intake.schema_version, intake.settings
    TO @accueil@, @travailleur_social@, @responsable@;
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.records, intake.interviews, intake.drafts
    TO @accueil@, @travailleur_social@, @responsable@;
GRANT SELECT, INSERT, UPDATE ON intake.dossiers TO @accueil@, @travailleur_social@, @responsable@;
GRANT DELETE ON intake.dossiers TO @accueil@, @travailleur_social@, @responsable@;
GRANT SELECT, INSERT, UPDATE ON intake.dossier_private TO @travailleur_social@;
GRANT SELECT ON intake.dossier_private TO @responsable@;
GRANT SELECT, INSERT, UPDATE ON intake.dossier_rows
    TO @accueil@, @travailleur_social@, @responsable@;
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.leases
    TO @accueil@, @travailleur_social@, @responsable@;
GRANT EXECUTE ON FUNCTION intake.next_dossier_number(integer) TO @accueil@, @travailleur_social@;
REVOKE EXECUTE ON FUNCTION intake.next_dossier_number(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION intake.reserve_dossier_numbers(integer, bigint) FROM PUBLIC;

ALTER TABLE intake.dossier_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY rows_reception ON intake.dossier_rows TO @accueil@
    USING (NOT private) WITH CHECK (NOT private);
CREATE POLICY rows_social_worker ON intake.dossier_rows TO @travailleur_social@
    USING (true) WITH CHECK (true);
CREATE POLICY rows_lead ON intake.dossier_rows TO @responsable@
    USING (NOT (private AND tbl = 'notes')) WITH CHECK (NOT private);

-- Erasing a dossier (RGPD purge, forget) is the unit lead's; anyone may erase the empty dossier
-- they have just created (an interview opened by mistake).
ALTER TABLE intake.dossiers ENABLE ROW LEVEL SECURITY;
CREATE POLICY dossiers_read ON intake.dossiers FOR SELECT
    TO @accueil@, @travailleur_social@, @responsable@ USING (true);
CREATE POLICY dossiers_create ON intake.dossiers FOR INSERT
    TO @accueil@, @travailleur_social@ WITH CHECK (true);
CREATE POLICY dossiers_change ON intake.dossiers FOR UPDATE
    TO @accueil@, @travailleur_social@, @responsable@ USING (true) WITH CHECK (true);
CREATE POLICY dossiers_erase ON intake.dossiers FOR DELETE TO @responsable@ USING (true);
-- (whether anything was said is checked on every row, those hidden from the role included)
CREATE FUNCTION intake.nothing_said(dossier text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, intake
    AS $$
    SELECT NOT EXISTS (SELECT 1 FROM intake.dossier_rows r
                       WHERE r.dossier_id = dossier AND r.tbl = 'events')
    $$;
CREATE POLICY dossiers_erase_empty ON intake.dossiers FOR DELETE
    TO @accueil@, @travailleur_social@
    USING (created_by = current_user AND intake.nothing_said(id));

-- A lease is removed by its holder, or by anyone once it is no longer live.
ALTER TABLE intake.leases ENABLE ROW LEVEL SECURITY;
CREATE POLICY leases_read ON intake.leases FOR SELECT
    TO @accueil@, @travailleur_social@, @responsable@ USING (true);
CREATE POLICY leases_take ON intake.leases FOR INSERT
    TO @accueil@, @travailleur_social@, @responsable@ WITH CHECK (login = current_user);
CREATE POLICY leases_renew ON intake.leases FOR UPDATE
    TO @accueil@, @travailleur_social@, @responsable@
    USING (login = current_user) WITH CHECK (login = current_user);
CREATE POLICY leases_release ON intake.leases FOR DELETE
    TO @accueil@, @travailleur_social@, @responsable@
    USING (login = current_user OR NOT intake.lease_is_live(expires_at, backend_pid));

-- Agents are the unit lead's to manage; other records (access log...) anyone's.
ALTER TABLE intake.records ENABLE ROW LEVEL SECURITY;
CREATE POLICY records_read ON intake.records FOR SELECT
    TO @accueil@, @travailleur_social@, @responsable@ USING (true);
CREATE POLICY records_lead ON intake.records TO @responsable@ USING (true) WITH CHECK (true);
CREATE POLICY records_others ON intake.records TO @accueil@, @travailleur_social@
    USING (kind <> 'agents') WITH CHECK (kind <> 'agents');

-- The marker of an interview is seen by all (who is interviewing whom); a draft by its author.
ALTER TABLE intake.interviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY interviews_read ON intake.interviews FOR SELECT
    TO @accueil@, @travailleur_social@, @responsable@ USING (true);
CREATE POLICY interviews_own ON intake.interviews TO @accueil@, @travailleur_social@, @responsable@
    USING (login = current_user) WITH CHECK (login = current_user);
ALTER TABLE intake.drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY drafts_own ON intake.drafts TO @accueil@, @travailleur_social@, @responsable@
    USING (login = current_user) WITH CHECK (login = current_user);
