/** Connection facts the global setup hands to every test worker. */
export interface TestPostgresInfo {
  /** URL of the server's maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** Name of the migrated template database to clone. */
  template: string;
}

/** The key under which the global setup provides {@link TestPostgresInfo}. */
export const TEST_POSTGRES_KEY = "tstrPostgres";

declare module "vitest" {
  export interface ProvidedContext {
    tstrPostgres: TestPostgresInfo;
  }
}
