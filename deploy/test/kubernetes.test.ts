/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered YAML is untyped here: scripts/validate.mjs checks it against the Kubernetes schema, these tests read fields by path */
// The Kubernetes manifests, checked where no cluster runs: both overlays render with kustomize
// (kubectl's), every object validates against the Kubernetes OpenAPI schema (scripts/validate.mjs),
// and a policy holds over what a cluster would receive: hardened, bounded, probed containers, secrets
// only as files, every workload behind a disruption budget and every Service behind a network policy,
// and the same images and configuration keys as docker-compose.yml, so the two cannot drift.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(__dirname, '../..');
const kubernetes = join(root, 'deploy', 'kubernetes');
const OVERLAYS = ['dev', 'prod'] as const;
type Overlay = (typeof OVERLAYS)[number];

// kubectl carries kustomize; without it nothing here can render (no npm build of kustomize runs
// without downloading a binary), so the suite is a visible skip rather than a pass.
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const describeRendered = hasKubectl ? describe : describe.skip;
if (!hasKubectl) console.warn('deploy/test/kubernetes.test.ts skipped: kubectl (with kustomize) is not installed');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, any>;
  readinessProbe?: any;
  livenessProbe?: any;
  volumeMounts?: { name: string; mountPath: string }[];
}

const rendered = new Map<Overlay, { yaml: string; objects: K8sObject[] }>();
function render(overlay: Overlay) {
  let out = rendered.get(overlay);
  if (!out) {
    const res = spawnSync('kubectl', ['kustomize', join(kubernetes, 'overlays', overlay)], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`kubectl kustomize overlays/${overlay} failed: ${res.stderr}`);
    out = {
      yaml: res.stdout,
      objects: parseAllDocuments(res.stdout)
        .map((d) => d.toJS() as K8sObject)
        .filter(Boolean),
    };
    rendered.set(overlay, out);
  }
  return out;
}
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const podSpec = (w: K8sObject) => w.spec.template.spec;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels[k] === v);

// docker-compose.yml, with its `<<: *anchor` merges resolved
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image: string; environment?: Record<string, string>; secrets?: string[] }>;
};
// compose's service name → the workload that runs it in the cluster
const WORKLOAD_OF: Record<string, string> = { web: 'web', viz: 'viz', serve: 'serve', db: 'mysql' };

describeRendered.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('renders, and every object validates against the Kubernetes OpenAPI schema, unknown fields included', () => {
    const { yaml, objects } = render(overlay);
    expect(objects.length).toBeGreaterThan(10);
    const file = join(tmpdir(), `enchilada-${overlay}-${process.pid}.yaml`);
    writeFileSync(file, yaml);
    const res = spawnSync(process.execPath, [join(root, 'deploy', 'scripts', 'validate.mjs'), file], {
      encoding: 'utf8',
    });
    rmSync(file, { force: true });
    expect(res.stderr).toBe('');
    const report = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { objects: number; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.objects).toBe(objects.length);
  });

  it('runs every container non-root, read-only, without capabilities, with requests and limits', () => {
    const problems: string[] = [];
    for (const w of workloads(render(overlay).objects)) {
      const pod = podSpec(w);
      const containers: Container[] = [...(pod.initContainers ?? []), ...pod.containers];
      for (const c of containers) {
        const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
        const sc = { ...pod.securityContext, ...c.securityContext };
        if (sc.runAsNonRoot !== true || !(sc.runAsUser > 0)) problems.push(`${where}: not non-root`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: may gain privileges`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: writable root file system`);
        if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]')
          problems.push(`${where}: capabilities not all dropped`);
        for (const r of ['cpu', 'memory']) {
          if (!c.resources?.limits?.[r]) problems.push(`${where}: no ${r} limit`);
          if (!c.resources?.requests?.[r]) problems.push(`${where}: no ${r} request`);
        }
      }
      if (pod.automountServiceAccountToken !== false)
        problems.push(`${w.kind}/${w.metadata.name}: mounts a service-account token it does not use`);
    }
    expect(problems).toEqual([]);
  });

  it('probes every long-running container: the apps answer /readyz for readiness and /healthz for liveness', () => {
    const problems: string[] = [];
    for (const w of workloads(render(overlay).objects)) {
      for (const c of podSpec(w).containers as Container[]) {
        if (!c.readinessProbe || !c.livenessProbe) problems.push(`${w.metadata.name}/${c.name}: missing a probe`);
        if (w.metadata.name === 'mysql') continue;
        if (c.readinessProbe?.httpGet?.path !== '/readyz')
          problems.push(`${w.metadata.name}: readiness is not /readyz`);
        if (c.livenessProbe?.httpGet?.path !== '/healthz')
          problems.push(`${w.metadata.name}: liveness is not /healthz`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps secrets out of environment variables: they are files under SECRETS_DIR, each only where compose mounts it', () => {
    const { objects } = render(overlay);
    const problems: string[] = [];
    const secretsDir = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'enchilada-config')?.data
      ?.SECRETS_DIR;
    expect(secretsDir).toBe('/run/secrets');
    for (const w of workloads(objects)) {
      const pod = podSpec(w);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers] as Container[]) {
        for (const e of c.env ?? []) {
          if (e.valueFrom && 'secretKeyRef' in e.valueFrom)
            problems.push(`${w.metadata.name}/${c.name}: ${e.name} from a Secret`);
          if (/PASSWORD|SECRET|TOKEN|_KEY$/i.test(e.name) && !e.name.endsWith('_FILE'))
            problems.push(`${w.metadata.name}/${c.name}: ${e.name} in the environment`);
        }
        if ((c.envFrom ?? []).some((f) => f.secretRef)) problems.push(`${w.metadata.name}/${c.name}: envFrom a Secret`);
        if (!(c.volumeMounts ?? []).some((m) => m.name === 'secrets' && m.mountPath === '/run/secrets'))
          problems.push(`${w.metadata.name}/${c.name}: secrets not mounted at /run/secrets`);
      }
      const service = Object.keys(WORKLOAD_OF).find((s) => WORKLOAD_OF[s] === w.metadata.name);
      const files =
        (pod.volumes as { name: string; projected?: { sources: { secret?: { items: { path: string }[] } }[] } }[])
          .find((v) => v.name === 'secrets')
          ?.projected?.sources.flatMap((s) => s.secret?.items.map((i) => i.path) ?? []) ?? [];
      if (service)
        expect({ [service]: [...files].sort() }).toEqual({
          [service]: [...(compose.services[service]?.secrets ?? [])].sort(),
        });
    }
    expect(ofKind(objects, 'Secret')).toEqual([]); // secret values are never in the repository
    expect(problems).toEqual([]);
  });

  it('uses the images and configuration keys of docker-compose.yml, service for service', () => {
    const { objects } = render(overlay);
    const config = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'enchilada-config')?.data ?? {};
    for (const [service, def] of Object.entries(compose.services)) {
      const w = workloads(objects).find((o) => o.metadata.name === WORKLOAD_OF[service]);
      if (service === 'db' && overlay === 'prod') {
        expect(w).toBeUndefined();
        continue;
      } // a managed MySQL
      if (!w) throw new Error(`no workload runs compose's ${service}`);
      const c = podSpec(w).containers[0] as Container;
      // prod points the same images at a registry: the repository's last part must be compose's name
      const image = overlay === 'prod' ? c.image.replace(/^.*\/([^/:]+):.*$/, 'enchilada-$1:latest') : c.image;
      expect({ service, image }).toEqual({ service, image: def.image });
      const keys = new Set((c.env ?? []).map((e) => e.name));
      if ((c.envFrom ?? []).some((f) => f.configMapRef?.name === 'enchilada-config'))
        Object.keys(config).forEach((k) => keys.add(k));
      expect({ service, keys: [...keys].sort() }).toEqual({ service, keys: Object.keys(def.environment ?? {}).sort() });
    }
  });

  it('puts every workload behind a PodDisruptionBudget and every Service behind a NetworkPolicy', () => {
    const { objects } = render(overlay);
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    const policies = ofKind(objects, 'NetworkPolicy');
    expect(
      policies.some(
        (p) =>
          Object.keys(p.spec.podSelector ?? {}).length === 0 &&
          p.spec.policyTypes?.includes('Ingress') &&
          !p.spec.ingress,
      ),
    ).toBe(true);
    for (const w of workloads(objects)) {
      const labels = w.spec.template.metadata.labels as Record<string, string>;
      expect({ [w.metadata.name]: pdbs.filter((p) => matches(p.spec.selector.matchLabels, labels)).length }).toEqual({
        [w.metadata.name]: 1,
      });
    }
    for (const s of ofKind(objects, 'Service')) {
      const covering = policies.filter(
        (p) => p.spec.ingress?.length && matches(p.spec.podSelector.matchLabels, s.spec.selector),
      );
      expect({ [s.metadata.name]: covering.length }).toEqual({ [s.metadata.name]: 1 });
    }
  });

  it('lets only web reach viz, only the apps reach the database, and the outside only web and serve through the Ingress', () => {
    const { objects } = render(overlay);
    const policy = (name: string) => ofKind(objects, 'NetworkPolicy').find((p) => p.metadata.name === name)?.spec;
    expect(policy('viz').ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } }],
        ports: [{ protocol: 'TCP', port: 5006 }],
      },
    ]);
    for (const app of ['web', 'serve'])
      expect(policy(app).ingress[0].from).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      ]);
    // and serve from web, for the pages' batch scoring
    expect(policy('serve').ingress.slice(1)).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } }],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
    const ingress = ofKind(objects, 'Ingress');
    expect(ingress).toHaveLength(1);
    const backends = (ingress[0]?.spec.rules ?? [])
      .flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.name))
      .sort();
    expect(backends).toEqual(['serve', 'web']);
    if (overlay === 'dev') {
      expect(policy('mysql').ingress).toEqual([
        {
          from: [{ podSelector: { matchLabels: { 'enchilada/database-client': 'true' } } }],
          ports: [{ protocol: 'TCP', port: 3306 }],
        },
      ]);
      const clients = workloads(objects)
        .filter((w) => w.spec.template.metadata.labels['enchilada/database-client'] === 'true')
        .map((w) => w.metadata.name)
        .sort();
      expect(clients).toEqual(['serve', 'viz', 'web']);
    }
  });

  it('migrates once before web serves, and autoscales serve and viz', () => {
    const { objects } = render(overlay);
    const web = workloads(objects).find((w) => w.metadata.name === 'web');
    if (!web) throw new Error('no web Deployment');
    expect(podSpec(web).initContainers.map((c: Container & { command: string[] }) => c.command)).toEqual([
      ['node', 'web/dist/cli/migrate.js'],
    ]);
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler').map((h) => ({
      target: h.spec.scaleTargetRef.name,
      min: h.spec.minReplicas,
      max: h.spec.maxReplicas,
    }));
    expect(hpas.map((h) => h.target).sort()).toEqual(['serve', 'viz']);
    for (const h of hpas) {
      if (overlay === 'dev') expect(h).toEqual({ ...h, min: 1, max: 1 });
      else expect(h.min).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('the dev overlay’s database init script', () => {
  it('is db/initdb/serve-account.sh byte for byte (kustomize reads no file outside its folder, so it is a copy)', () => {
    expect(readFileSync(join(kubernetes, 'overlays', 'dev', 'serve-account.sh'), 'utf8')).toBe(
      readFileSync(join(root, 'db', 'initdb', 'serve-account.sh'), 'utf8'),
    );
  });
});

describeRendered('the overlays differ where they should', () => {
  it('dev runs MySQL in the cluster on a claim; prod has no database and shares uploads across web replicas', () => {
    const dev = render('dev').objects;
    const prod = render('prod').objects;
    const mysql = ofKind(dev, 'StatefulSet').find((s) => s.metadata.name === 'mysql');
    expect(mysql?.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(ofKind(prod, 'StatefulSet')).toEqual([]);
    const host = (objects: K8sObject[]) => ofKind(objects, 'ConfigMap')[0]?.data?.MYSQL_HOST;
    expect(host(dev)).toBe('mysql');
    expect(host(prod)).not.toBe('mysql');
    const uploads = (objects: K8sObject[]) =>
      ofKind(objects, 'PersistentVolumeClaim').find((p) => p.metadata.name === 'enchilada-uploads')?.spec.accessModes;
    expect(uploads(dev)).toEqual(['ReadWriteOnce']);
    expect(uploads(prod)).toEqual(['ReadWriteMany']);
    for (const objects of [dev, prod])
      expect(
        new Set(objects.map((o) => (o as { metadata: { namespace?: string } }).metadata.namespace ?? 'enchilada')),
      ).toEqual(new Set(['enchilada']));
  });
});
