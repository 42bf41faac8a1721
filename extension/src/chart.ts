/**
 * A small line chart on a canvas: payment requests against payments per
 * bucket, with the time axis from the first bucket to now. No library: the
 * extension loads nothing at runtime and this is all it needs.
 */

export interface Series {
  label: string
  color: string
  values: number[]
}

export function drawChart (canvas: HTMLCanvasElement, series: Series[], caption: string): void {
  const context = canvas.getContext('2d')

  if (context == null) {
    return
  }

  const { width, height } = canvas
  const pad = { left: 28, right: 8, top: 18, bottom: 18 }
  const count = Math.max(1, ...series.map(line => line.values.length))
  const top = Math.max(1, ...series.flatMap(line => line.values))
  const x = (i: number): number => pad.left + (count === 1 ? 0 : i * (width - pad.left - pad.right) / (count - 1))
  const y = (value: number): number => height - pad.bottom - value * (height - pad.top - pad.bottom) / top

  context.clearRect(0, 0, width, height)
  context.font = '10px sans-serif'
  context.fillStyle = '#666'
  context.strokeStyle = '#ccc'
  context.beginPath()
  context.moveTo(pad.left, pad.top)
  context.lineTo(pad.left, height - pad.bottom)
  context.lineTo(width - pad.right, height - pad.bottom)
  context.stroke()
  context.fillText(String(top), 2, pad.top + 4)
  context.fillText('0', 2, height - pad.bottom)
  context.fillText(caption, pad.left, height - 4)

  series.forEach((line, index) => {
    context.strokeStyle = line.color
    context.fillStyle = line.color
    context.lineWidth = 2
    context.beginPath()
    line.values.forEach((value, i) => { i === 0 ? context.moveTo(x(i), y(value)) : context.lineTo(x(i), y(value)) })
    context.stroke()
    // a dot where there is something: a lone bucket shows too
    line.values.forEach((value, i) => {
      if (value > 0) {
        context.beginPath()
        context.arc(x(i), y(value), 2.5, 0, 2 * Math.PI)
        context.fill()
      }
    })
    context.fillText(line.label, pad.left + 6 + index * 90, 12)
  })
}
