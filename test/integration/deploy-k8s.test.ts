import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { parseEnv } from '../../src/config/env.ts'

// deploy/k8s as kubectl renders it (its own kustomize): the facts a
// cluster relies on, read from the rendered objects, not from the files.

type K8sObject = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> }
type Container = {
  name: string
  args?: string[]
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
  ports?: { name: string; containerPort: number }[]
  livenessProbe?: any
  readinessProbe?: any
  startupProbe?: any
  resources: { requests: Record<string, string>; limits: Record<string, string> }
  securityContext: any
  volumeMounts: { name: string; mountPath: string }[]
}

const missing = (command: string, args: string[]) => (spawnSync(command, args, { stdio: 'ignore' }).status === 0 ? null : `${command} is not installed`)
const kubectlMissing = missing('kubectl', ['version', '--client'])
const composeMissing = missing('docker-compose', ['version'])

function render(dir: string): K8sObject[] {
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${out.stderr}`)
  return parseAllDocuments(out.stdout).map((doc) => doc.toJS() as K8sObject)
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name)
  if (!found) throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`)
  return found
}
const containerOf = (deployment: K8sObject): Container => deployment.spec.template.spec.containers[0]
const envOf = (container: Container) => Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]))
const bytesOf = (quantity: string) => {
  const match = quantity.match(/^(\d+)(Mi|Gi)$/)
  if (!match) throw new Error(`unexpected quantity ${quantity}`)
  return Number(match[1]) * 1024 ** (match[2] === 'Gi' ? 3 : 2)
}

/** Kept stops within 10 s (src/infra/lifecycle.ts); a pod must be given longer before it is killed. */
const KEPT_STOP_BOUND_SECONDS = 10
/** bench/README.md: a worker walking 2 journeys at once peaks at 672 MB (PSS), Chromium included; idle ~480 MB. */
const WORKER_PEAK_AT_2_MB = 672

describe.skipIf(kubectlMissing)(`deploy/k8s${kubectlMissing ? ` (skipped: ${kubectlMissing})` : ''}`, () => {
  const base = kubectlMissing ? [] : render('deploy/k8s')

  it('renders the control plane and the workers as separate Deployments, a Service, a ConfigMap and an autoscaler', () => {
    expect(base.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/kept-config',
      'Deployment/kept-api',
      'Deployment/kept-worker-local',
      'HorizontalPodAutoscaler/kept-worker-local',
      'Service/kept-api',
    ])
    expect(containerOf(find(base, 'Deployment', 'kept-api')).args).toEqual(['api'])
    expect(containerOf(find(base, 'Deployment', 'kept-worker-local')).args).toEqual(['worker'])
  })

  it('keeps secrets out of the ConfigMap, which Kept accepts as it is', () => {
    const config = find(base, 'ConfigMap', 'kept-config').data!
    for (const secret of ['KEPT_SECRET_KEY', 'DATABASE_URL', 'SMTP_URL', 'KEPT_ADMIN_PASSWORD']) expect(config).not.toHaveProperty(secret)
    expect(parseEnv(config)).toMatchObject({ HOST: '0.0.0.0', KEPT_DEMO: false, KEPT_DATA_DIR: '/data' })
  })

  it('gives the control plane the whole Secret and a worker only the key that decrypts journey secrets', () => {
    const api = containerOf(find(base, 'Deployment', 'kept-api'))
    expect(api.envFrom).toEqual([{ configMapRef: { name: 'kept-config' } }, { secretRef: { name: 'kept-secrets' } }])
    const worker = containerOf(find(base, 'Deployment', 'kept-worker-local'))
    expect(worker.envFrom).toEqual([{ configMapRef: { name: 'kept-config' } }])
    const fromSecrets = (worker.env ?? []).filter((e) => e.valueFrom?.secretKeyRef)
    expect(fromSecrets).toEqual([{ name: 'KEPT_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'kept-secrets', key: 'KEPT_SECRET_KEY' } } }])
    expect(parseEnv({ ...find(base, 'ConfigMap', 'kept-config').data, ...envOf(worker) })).toMatchObject({ KEPT_REGION: 'local', KEPT_WORKER_CONCURRENCY: 2 })
  })

  it('probes real health endpoints: /livez and /api/v1/health on the API, /livez and /readyz on the worker health port', () => {
    const api = containerOf(find(base, 'Deployment', 'kept-api'))
    expect(api.ports).toEqual([{ name: 'http', containerPort: 3000 }])
    expect(api.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' })
    expect(api.startupProbe.httpGet).toEqual({ path: '/livez', port: 'http' })
    expect(api.readinessProbe.httpGet).toEqual({ path: '/api/v1/health', port: 'http' })

    const worker = containerOf(find(base, 'Deployment', 'kept-worker-local'))
    const port = Number(envOf(worker).KEPT_WORKER_HEALTH_PORT)
    expect(worker.ports).toEqual([{ name: 'health', containerPort: port }])
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'health' })
    expect(worker.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' })
  })

  it('routes the Service to the API pods only', () => {
    const service = find(base, 'Service', 'kept-api')
    const apiLabels = find(base, 'Deployment', 'kept-api').spec.template.metadata.labels
    const workerLabels = find(base, 'Deployment', 'kept-worker-local').spec.template.metadata.labels
    const selects = (labels: Record<string, string>) => Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v)
    expect(selects(apiLabels)).toBe(true)
    expect(selects(workerLabels)).toBe(false)
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }])
  })

  it('runs as a non-root user on a read-only root filesystem, with emptyDirs where Kept and Chromium write', () => {
    for (const name of ['kept-api', 'kept-worker-local']) {
      const pod = find(base, 'Deployment', name).spec.template.spec
      const container = containerOf(find(base, 'Deployment', name))
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 })
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
      const mounts = Object.fromEntries(container.volumeMounts.map((m) => [m.mountPath, m.name]))
      const volumes = Object.fromEntries(pod.volumes.map((v: { name: string }) => [v.name, v]))
      for (const path of ['/tmp', '/data']) expect(volumes[mounts[path]!]).toHaveProperty('emptyDir')
      // Kept's own bound on a stop fits in what Kubernetes grants before SIGKILL.
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(KEPT_STOP_BOUND_SECONDS)
    }
    const worker = containerOf(find(base, 'Deployment', 'kept-worker-local'))
    const shm = find(base, 'Deployment', 'kept-worker-local').spec.template.spec.volumes.find((v: { name: string }) => v.name === worker.volumeMounts.find((m) => m.mountPath === '/dev/shm')?.name)
    expect(shm?.emptyDir).toMatchObject({ medium: 'Memory' })
  })

  it("sizes a worker from the benchmark's memory figures for the concurrency it sets", () => {
    const worker = containerOf(find(base, 'Deployment', 'kept-worker-local'))
    expect(envOf(worker).KEPT_WORKER_CONCURRENCY).toBe('2')
    const peak = WORKER_PEAK_AT_2_MB * 1000 ** 2
    expect(bytesOf(worker.resources.requests.memory!)).toBeGreaterThanOrEqual(peak)
    expect(bytesOf(worker.resources.limits.memory!)).toBeGreaterThanOrEqual(peak * 1.3)
  })

  it('scales the workers on the journeys their region owes, per worker as many as it walks at once', () => {
    const hpa = find(base, 'HorizontalPodAutoscaler', 'kept-worker-local')
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'kept-worker-local' })
    const [metric] = hpa.spec.metrics
    expect(metric).toMatchObject({ type: 'External', external: { metric: { name: 'kept_journeys_demand', selector: { matchLabels: { queue: 'journeys', region: 'local' } } } } })
    expect(metric.external.target).toEqual({ type: 'AverageValue', averageValue: envOf(containerOf(find(base, 'Deployment', 'kept-worker-local'))).KEPT_WORKER_CONCURRENCY })
  })

  it('adds the workers of region eu in the two-regions overlay, each autoscaler on its own region', () => {
    const both = render('deploy/k8s/overlays/two-regions')
    const workers = both.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('kept-worker-'))
    expect(workers.map((w) => w.metadata.name).sort()).toEqual(['kept-worker-eu', 'kept-worker-local'])
    for (const region of ['local', 'eu']) {
      const deployment = find(both, 'Deployment', `kept-worker-${region}`)
      expect(deployment.spec.selector.matchLabels['kept/region']).toBe(region)
      expect(deployment.spec.template.metadata.labels['kept/region']).toBe(region)
      expect(envOf(containerOf(deployment)).KEPT_REGION).toBe(region)
      const hpa = find(both, 'HorizontalPodAutoscaler', `kept-worker-${region}`)
      expect(hpa.spec.scaleTargetRef.name).toBe(`kept-worker-${region}`)
      expect(hpa.spec.metrics[0].external.metric.selector.matchLabels.region).toBe(region)
    }
    expect(find(both, 'Deployment', 'kept-worker-eu').spec.template.spec.nodeSelector).toEqual({ 'topology.kubernetes.io/region': 'eu-west-1' })
    expect(both.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'kept-api')).toHaveLength(1)
  })
})

describe.skipIf(composeMissing)(`docker-compose.yml${composeMissing ? ` (skipped: ${composeMissing})` : ''}`, () => {
  it('is valid and hands the kept command its subcommand (the image has it as entrypoint)', () => {
    const out = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8' })
    expect(out.status, out.stderr).toBe(0)
    const services = (parseAllDocuments(out.stdout)[0]!.toJS() as { services: Record<string, { command?: string[] }> }).services
    expect(services.app?.command).toEqual(['api'])
    expect(services.worker?.command).toEqual(['worker'])
  })
})
