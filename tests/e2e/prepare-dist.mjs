// Run by playwright.config.ts after `vite build`: copies a small .nii.gz into dist/ (where a file
// under public/ would land) so the e2e suite checks that `vite preview` serves *.gz raw.
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/e2e', { recursive: true });
copyFileSync('tests/e2e/fixtures/raw-check.nii.gz', 'dist/e2e/raw-check.nii.gz');
