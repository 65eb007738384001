-- Executors defined by a definitions sync are owned by its source (like tests and suites), so a
-- sync only changes and prunes its own.
ALTER TABLE "executors" ADD COLUMN "source" TEXT;
