/**
 * The types of the generated dashboard-assets.js (build-dashboard.mjs writes it; git ignores it):
 * the dashboard's HTML shell and its hashed assets as strings.
 */
export interface DashboardAsset {
  contentType: string;
  body: string;
}
/** The document every /dashboard/* page answers with. */
export declare const DASHBOARD_INDEX_HTML: string;
/** By file name (`app-<hash>.js`), served under /dashboard/assets/. */
export declare const DASHBOARD_ASSETS: Readonly<Record<string, DashboardAsset>>;
/** What a first visit downloads, gzipped, in bytes. */
export declare const DASHBOARD_FIRST_LOAD_GZIP_BYTES: {
  js_gzip: number;
  css_gzip: number;
  html_gzip: number;
  total_gzip: number;
};
