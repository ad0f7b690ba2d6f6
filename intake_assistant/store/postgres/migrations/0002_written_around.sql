-- Dossiers written around the application (psql, a restore or migration script...) may not have
-- the document's shape. The application checks every dossier it reads (store/document.py) and
-- reports a malformed one by name as damaged; listings, counts and the purge, answered from the
-- index columns without reading each dossier, check first the dossiers marked here as written
-- around it. Not a barrier (a session may call itself the application): a marker for listings,
-- while every read still checks the dossier it reads.

ALTER TABLE intake.dossiers ADD COLUMN checked boolean NOT NULL DEFAULT true;
CREATE INDEX dossiers_unchecked ON intake.dossiers (id) WHERE NOT checked;

CREATE FUNCTION intake.written_by_application() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('application_name', true), '')
                 LIKE 'intake-assistant%' $$;

-- (the WHEN clauses keep the application's own writes, bulk copies included, from calling the
-- trigger functions at all)
CREATE FUNCTION intake.mark_written_around() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, intake
    AS $$
    BEGIN
        NEW.checked := false;
        RETURN NEW;
    END
    $$;
CREATE TRIGGER dossiers_written_around BEFORE INSERT OR UPDATE ON intake.dossiers
    FOR EACH ROW WHEN (NOT intake.written_by_application())
    EXECUTE FUNCTION intake.mark_written_around();

-- A part of the dossier kept in another table: the dossier itself is marked.
CREATE FUNCTION intake.mark_dossier_written_around() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, intake
    AS $$
    BEGIN
        UPDATE intake.dossiers SET checked = false WHERE id = NEW.dossier_id;
        RETURN NULL;
    END
    $$;
CREATE TRIGGER dossier_private_written_around AFTER INSERT OR UPDATE ON intake.dossier_private
    FOR EACH ROW WHEN (NOT intake.written_by_application())
    EXECUTE FUNCTION intake.mark_dossier_written_around();
CREATE TRIGGER dossier_rows_written_around AFTER INSERT OR UPDATE ON intake.dossier_rows
    FOR EACH ROW WHEN (NOT intake.written_by_application())
    EXECUTE FUNCTION intake.mark_dossier_written_around();
CREATE TRIGGER drafts_written_around AFTER INSERT OR UPDATE ON intake.drafts
    FOR EACH ROW WHEN (NOT intake.written_by_application())
    EXECUTE FUNCTION intake.mark_dossier_written_around();
