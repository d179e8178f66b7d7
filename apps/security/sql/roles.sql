-- Least-privilege roles for the portal database (docs/security.md).
--
-- Run with psql as a superuser (or a role with CREATEROLE that owns the
-- schema), connected to the portal database, once before the first
-- `migrate` and again after every `migrate`: every statement may be
-- repeated. Passwords are set apart (ALTER ROLE ... PASSWORD), never here.
--
--   candor_migrate  owns the schema and runs `manage.py migrate`; nobody
--                   serves requests with it.
--   candor_web      the web process: reads and writes the portal's tables,
--                   appends to the audit log, and can never change or empty
--                   it.
--   candor_worker   the Celery workers: the same rights on the portal
--                   database (jobs, exports, audit appends), never more.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'candor_migrate') THEN
        CREATE ROLE candor_migrate LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'candor_web') THEN
        CREATE ROLE candor_web LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'candor_worker') THEN
        CREATE ROLE candor_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;

-- Only the owner creates objects; PUBLIC gets nothing by default.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO candor_migrate;
GRANT USAGE ON SCHEMA public TO candor_web, candor_worker;

-- Tables the owner creates in later migrations get the same rights.
ALTER DEFAULT PRIVILEGES FOR ROLE candor_migrate IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO candor_web, candor_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE candor_migrate IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO candor_web, candor_worker;

-- The tables that exist now.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
    TO candor_web, candor_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO candor_web, candor_worker;

-- The audit log: append and read, nothing else (the triggers of migration
-- audit 0007 refuse the rest even to the owner; this refuses it before).
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON audit_auditrecord, audit_auditcheckpoint FROM candor_web, candor_worker;
GRANT SELECT, INSERT ON audit_auditrecord, audit_auditcheckpoint
    TO candor_web, candor_worker;
-- Appends go through this function (SECURITY INVOKER: the caller's rights).
REVOKE ALL ON FUNCTION candor_audit_append(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_audit_append(jsonb) TO candor_web, candor_worker;

