import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/platform/db.js";
import { checkEventCatalogue } from "../audit/catalogue-check.js";
import { databaseUrlFor, TEST_DATABASE_URL } from "./env.js";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// Migrates one template database per run; every test file clones it
// (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
export default async function setup(project: TestProject) {
  const template = `latchkey_tpl_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const database = await openDatabase({ databaseUrl: databaseUrlFor(template), dataDir: "/tmp" });
  await database.migrate();
  await database.close();
  project.provide("templateDatabase", template);

  return async () => {
    try {
      // Every test app has closed: were all declared event types produced?
      await checkEventCatalogue(project, template);
    } finally {
      await admin.query(`drop database if exists ${template} with (force)`);
      await admin.end();
    }
  };
}
