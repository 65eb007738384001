// Stylesheets are imported for their side effect; esbuild bundles them into assets/app-<hash>.css.
declare module "*.css";
