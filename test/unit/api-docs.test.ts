import { describe, expect, it } from 'vitest'
import { docsRoutes } from '../../src/api/routes/docs.ts'

describe('Swagger UI', () => {
  const app = docsRoutes()

  it('loads its assets from this server, never a CDN', async () => {
    const page = await (await app.request('/')).text()
    expect(page).toContain('docs/assets/swagger-ui-dist/swagger-ui-bundle.js')
    expect(page).toContain("url: 'openapi.json'")
    expect(page).not.toMatch(/https?:\/\//)
  })

  it('serves the bundle and the stylesheet, and nothing else from the package', async () => {
    const js = await app.request('/assets/swagger-ui-dist/swagger-ui-bundle.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    expect((await js.text()).length).toBeGreaterThan(100_000)
    expect((await app.request('/assets/swagger-ui-dist/swagger-ui.css')).status).toBe(200)
    expect((await app.request('/assets/swagger-ui-dist/package.json')).status).toBe(404)
    expect((await app.request('/assets/swagger-ui-dist/..%2Fpackage.json')).status).toBe(404)
  })
})
