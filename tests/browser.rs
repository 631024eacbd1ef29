//! The JavaScript surface in a real browser (`wasm-pack test --headless --chrome`): the
//! shipped weights read real MNIST digits from canvas pixels; bad weights are rejected.
#![cfg(target_arch = "wasm32")]

use handwriting::wasm::Recognizer;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

static WEIGHTS: &[u8] = include_bytes!("../www/models/digits.bpk");
static IMAGES: &[u8] = include_bytes!("fixtures/mnist-t10k-300-images-idx3-ubyte");
static LABELS: &[u8] = include_bytes!("fixtures/mnist-t10k-300-labels-idx1-ubyte");

/// MNIST test image `index` as canvas pixels: dark ink on white, opaque, 28×28.
fn image_data(index: usize) -> web_sys::ImageData {
    let pixels = &IMAGES[16 + index * 784..16 + (index + 1) * 784];
    let rgba: Vec<u8> = pixels
        .iter()
        .flat_map(|&p| [255 - p, 255 - p, 255 - p, 255])
        .collect();
    // Copied into a JavaScript array: an ImageData made from a Rust slice would keep pointing
    // into wasm memory after the Vec is freed.
    let array = js_sys::Uint8ClampedArray::from(rgba.as_slice());
    web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&array, 28, 28).unwrap()
}

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &name.into()).unwrap()
}

async fn shipped_recognizer() -> Recognizer {
    Recognizer::from_bytes(WEIGHTS, "digits.bpk".into(), "cpu".into())
        .await
        .map_err(JsValue::from)
        .unwrap()
}

fn message(error: JsValue) -> String {
    js_sys::Error::from(error).message().into()
}

#[wasm_bindgen_test]
async fn shipped_weights_read_mnist_digits_from_canvas_pixels() {
    let recognizer = shipped_recognizer().await;
    assert_eq!(recognizer.backend(), "cpu");
    let mut wrong = Vec::new();
    for index in 0..12 {
        let result = recognizer
            .recognize_image(image_data(index))
            .await
            .map_err(JsValue::from)
            .unwrap();
        let expected = LABELS[8 + index].to_string();
        let label = field(&result, "label").as_string();
        if label.as_deref() != Some(expected.as_str()) {
            wrong.push((index, expected, label));
        }
        let top = js_sys::Array::from(&field(&result, "top"));
        assert_eq!(top.length(), 3);
        let preview = js_sys::Uint8Array::from(field(&result, "preview"));
        assert_eq!(preview.length(), 784);
    }
    // Canvas pixels are normalised again on the way in, as a drawing would be, so an odd MNIST
    // image may read differently than in the native test (this model reads one "5" as "8"):
    // one miss is allowed.
    assert!(
        wrong.len() <= 1,
        "misread (index, expected, got): {wrong:?}"
    );
}

#[wasm_bindgen_test]
async fn an_empty_drawing_has_no_label() {
    let recognizer = shipped_recognizer().await;
    let result = recognizer
        .recognize_strokes(js_sys::Array::new().into())
        .await
        .map_err(JsValue::from)
        .unwrap();
    assert!(field(&result, "label").is_null());
}

#[wasm_bindgen_test]
async fn corrupt_weights_are_rejected_with_a_message() {
    let error = Recognizer::from_bytes(
        &WEIGHTS[..WEIGHTS.len() / 3],
        "cut.bpk".into(),
        "cpu".into(),
    )
    .await
    .map(|_| ())
    .map_err(JsValue::from)
    .unwrap_err();
    assert!(message(error).contains("cut.bpk"));
    let error = Recognizer::from_bytes(b"GIF89a", "picture.gif".into(), "cpu".into())
        .await
        .map(|_| ())
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(error).contains("not a Burn weights"));
}

#[wasm_bindgen_test]
async fn a_missing_backend_is_an_error_not_a_panic() {
    let error = Recognizer::from_bytes(WEIGHTS, "digits.bpk".into(), "quantum".into())
        .await
        .map(|_| ())
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(message(error).contains("unknown backend"));
}
