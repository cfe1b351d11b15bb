// The preview server's origin (playwright.config.ts; PW_PORT moves it so checkouts can run side by side).
export const ORIGIN = `http://127.0.0.1:${Number(process.env.PW_PORT ?? 4173)}`;
