// Validates rendered Kubernetes manifests against the schema of their kind.
// Usage: node validate-k8s.mjs NODE_MODULES FILE...
// Built-in kinds: kubernetes-models (npm, pinned by .ci/run) and the OpenAPI schema of that kind;
// Argo CD's kinds (the Application docs/kubernetes.md shows): @kubernetes-models/argo-cd.
// KServe kinds: no registry package carries KServe's CRD schemas, so their core parts (metadata,
// containers, volumes) are checked against the Kubernetes schemas and their own fields against the
// field names of KServe's API (docs/kubernetes.md says so).
// Prints "ok FILE KIND" or "invalid FILE: reasons" per file; exits 1 when any file is invalid.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node validate-k8s.mjs NODE_MODULES FILE...");
  process.exit(2);
}

const YAML = createRequire(join(modules, "noop.js"))("yaml");
// The package holding each API group's models; the built-in groups are in kubernetes-models.
const packages = { "argoproj.io": "@kubernetes-models/argo-cd" };
const model = async (path, name) =>
  (await import(pathToFileURL(join(modules, packages[path[0]] ?? "kubernetes-models", ...path, `${name}.js`)).href))[name];

async function check(Model, data, where, problems) {
  try {
    new Model(data).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  }
}

function need(condition, message, problems) {
  if (!condition) problems.push(message);
}

async function kserve(doc, problems) {
  const spec = doc.spec ?? {};
  if (doc.kind === "ServingRuntime" && doc.apiVersion === "serving.kserve.io/v1alpha1") {
    const formats = spec.supportedModelFormats;
    need(Array.isArray(formats) && formats.length > 0 && formats.every(f => typeof f.name === "string" && f.name.length > 0),
      "spec.supportedModelFormats must list formats with a name", problems);
    need(Array.isArray(spec.protocolVersions) && spec.protocolVersions.every(p => ["v1", "v2", "grpc-v1", "grpc-v2"].includes(p)),
      "spec.protocolVersions must hold v1, v2, grpc-v1 or grpc-v2", problems);
    need(Array.isArray(spec.containers) && spec.containers.length > 0, "spec.containers must list the runtime's container", problems);
    const Container = await model(["v1"], "Container");
    for (const [i, c] of (spec.containers ?? []).entries()) await check(Container, c, `spec.containers[${i}]`, problems);
    const Volume = await model(["v1"], "Volume");
    for (const [i, v] of (spec.volumes ?? []).entries()) await check(Volume, v, `spec.volumes[${i}]`, problems);
    return true;
  }
  if (doc.kind === "InferenceService" && doc.apiVersion === "serving.kserve.io/v1beta1") {
    const m = spec.predictor?.model;
    need(m && typeof m.modelFormat?.name === "string", "spec.predictor.model.modelFormat.name must name the model format", problems);
    need(m && (m.runtime === undefined || typeof m.runtime === "string"), "spec.predictor.model.runtime must be a string", problems);
    need(m && ["v1", "v2", "grpc-v2"].includes(m.protocolVersion), "spec.predictor.model.protocolVersion must be v1, v2 or grpc-v2", problems);
    for (const key of ["minReplicas", "maxReplicas"]) {
      need(spec.predictor?.[key] === undefined || Number.isInteger(spec.predictor[key]), `spec.predictor.${key} must be an integer`, problems);
    }
    return true;
  }
  return false;
}

let failed = false;
for (const file of files) {
  const problems = [];
  let doc;
  try {
    doc = YAML.parse(readFileSync(file, "utf8"), { strict: true, uniqueKeys: true });
  } catch (e) {
    problems.push(`not YAML: ${e.message}`);
  }
  if (doc) {
    const { apiVersion, kind } = doc;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      problems.push("apiVersion and kind must be strings");
    } else if (apiVersion.startsWith("serving.kserve.io/")) {
      const ObjectMeta = (await import(pathToFileURL(join(modules, "@kubernetes-models", "apimachinery", "apis", "meta", "v1", "ObjectMeta.js")).href)).ObjectMeta;
      await check(ObjectMeta, doc.metadata, "metadata", problems);
      if (!(await kserve(doc, problems))) problems.push(`no schema is known for ${apiVersion} ${kind}`);
    } else {
      let Model;
      try {
        Model = await model(apiVersion.split("/"), kind);
      } catch {
        problems.push(`no schema is known for ${apiVersion} ${kind} (kubernetes-models has none)`);
      }
      if (Model) await check(Model, doc, kind, problems);
    }
  }
  if (problems.length > 0) {
    failed = true;
    console.log(`invalid ${file}: ${problems.join("; ")}`);
  } else {
    console.log(`ok ${file} ${doc.kind}`);
  }
}
process.exit(failed ? 1 : 0);
