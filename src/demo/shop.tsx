import { HtmlDocument } from '../ui/html-document.tsx'
import { Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { Child } from 'hono/jsx'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { closeServer } from '../infra/close-server.ts'

// A small shop bundled with Kept so a newcomer sees promises walked at once.
// An order takes 3 clicks: "Shop now", "Add to cart", "Place order".
// POST /__demo/break makes checkout fail; POST /__demo/fix mends it;
// POST /__demo/slow?ms=N delays every page (to show "at risk");
// POST /__demo/drift makes the home page promise 2 clicks (claim drift).

export interface DemoShop {
  url: string
  port: number
  setBroken(broken: boolean): void
  isBroken(): boolean
  setDelay(ms: number): void
  close(): Promise<void>
}

const stores = [
  { city: 'Paris', address: '12 rue de Rivoli', hours: '9:00–19:00' },
  { city: 'Lyon', address: '3 place Bellecour', hours: '10:00–19:00' },
  { city: 'Lille', address: '8 rue Nationale', hours: '9:30–18:30' },
]

const SHOP_STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
a,button{font-size:1.1rem}button{padding:.5rem 1rem;background:#0b6e4f;color:#fff;border:0;border-radius:4px}
nav a{margin-right:1rem}`

function Page(props: { title: string; children: Child }) {
  return (
    <HtmlDocument title={`${props.title} · Demo Coffee Shop`} head={<style>{SHOP_STYLE}</style>}>
      <header>
        <nav aria-label="Main">
          <a href="/">Home</a>
          <a href="/stores">Stores</a>
        </nav>
      </header>
      <main>{props.children}</main>
    </HtmlDocument>
  )
}

export function createShopApp(state: { broken: boolean; delayMs: number; drift: boolean }) {
  const app = new Hono()
  app.use(async (_c, next) => {
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs))
    await next()
  })

  app.get('/', (c) =>
    c.html(
      <Page title="Home">
        <h1>Demo Coffee Shop</h1>
        <p>Fresh espresso cups, delivered tomorrow. {state.drift ? 'Order online in just 2 clicks!' : 'Order online in 3 clicks.'}</p>
        <a href="/product/espresso-cup">Shop now</a>
      </Page>,
    ),
  )

  app.get('/product/espresso-cup', (c) =>
    c.html(
      <Page title="Espresso cup">
        <h1>Espresso cup</h1>
        <p>Porcelain, 90 ml. €12.</p>
        <form method="post" action="/cart">
          <input type="hidden" name="sku" value="espresso-cup" />
          <button type="submit">Add to cart</button>
        </form>
      </Page>,
    ),
  )

  app.post('/cart', (c) => {
    setCookie(c, 'cart', 'espresso-cup', { path: '/', httpOnly: true, sameSite: 'Lax' })
    return c.redirect('/cart', 303)
  })

  app.get('/cart', (c) => {
    const item = getCookie(c, 'cart')
    return c.html(
      <Page title="Cart">
        <h1>Your cart</h1>
        {item ? (
          <>
            <p>1 × Espresso cup — €12</p>
            <form method="post" action="/order">
              <button type="submit">Place order</button>
            </form>
          </>
        ) : (
          <p>Your cart is empty.</p>
        )}
      </Page>,
    )
  })

  app.post('/order', (c) => {
    if (state.broken) {
      return c.html(
        <Page title="Error">
          <h1>Sorry, something went wrong</h1>
          <p>We could not place your order. Please try again later.</p>
        </Page>,
        500,
      )
    }
    if (!getCookie(c, 'cart')) return c.redirect('/cart', 303)
    setCookie(c, 'cart', '', { path: '/', maxAge: 0 })
    return c.redirect(`/order/${Math.floor(Math.random() * 900000 + 100000)}`, 303)
  })

  app.get('/order/:number', (c) =>
    c.html(
      <Page title="Order confirmed">
        <h1>Order confirmed</h1>
        <p>Thank you! Your order number is {c.req.param('number')}.</p>
      </Page>,
    ),
  )

  app.get('/stores', (c) =>
    c.html(
      <Page title="Stores">
        <h1>Find a store</h1>
        <ul>
          {stores.map((s) => (
            <li>
              <a href={`/stores/${s.city.toLowerCase()}`}>{s.city}</a>
            </li>
          ))}
        </ul>
      </Page>,
    ),
  )

  app.get('/stores/:city', (c) => {
    const store = stores.find((s) => s.city.toLowerCase() === c.req.param('city'))
    if (!store) return c.notFound()
    return c.html(
      <Page title={`${store.city} store`}>
        <h1>{store.city} store</h1>
        <p>{store.address}</p>
        <p>Open {store.hours}</p>
      </Page>,
    )
  })

  app.get('/__demo/state', (c) => c.json(state))
  app.post('/__demo/break', (c) => {
    state.broken = true
    return c.json(state)
  })
  app.post('/__demo/fix', (c) => {
    state.broken = false
    state.delayMs = 0
    state.drift = false
    return c.json(state)
  })
  app.post('/__demo/drift', (c) => {
    state.drift = true
    return c.json(state)
  })
  app.post('/__demo/slow', (c) => {
    state.delayMs = Math.max(0, Math.min(60_000, Number(c.req.query('ms') ?? 0) || 0))
    return c.json(state)
  })
  return app
}

export async function startDemoShop(options: { port?: number; host?: string } = {}): Promise<DemoShop> {
  const state = { broken: false, delayMs: 0, drift: false }
  const app = createShopApp(state)
  const host = options.host ?? '127.0.0.1'
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s))
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}`,
    port,
    setBroken: (b) => void (state.broken = b),
    isBroken: () => state.broken,
    setDelay: (ms) => void (state.delayMs = ms),
    close: () => closeServer(server),
  }
}
